from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from sqlalchemy import text

from lms.core import theme as core_theme
from lms.extensions import db, limiter
from lms.services import theme

bp = Blueprint("public", __name__, template_folder="templates")


@bp.route("/")
def index():
    return render_template("public/index.html")


def _database_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database is what this endpoint reports
        db.session.rollback()
        return False
    return True


@bp.route("/healthz")
def healthz():
    """For load balancers: 200 when this instance can serve, 503 when the database (or the Redis that holds the
    rate-limit counters, when there is one) does not answer. Never cached."""
    checks = {"database": "ok" if _database_reachable() else "unreachable"}
    config = current_app.config
    if config["RATELIMIT_ENABLED"] and config["RATELIMIT_STORAGE_URI"].startswith("redis"):  # rediss, sentinel…
        checks["redis"] = "ok" if limiter.storage.check() else "unreachable"
    healthy = all(value == "ok" for value in checks.values())
    response = jsonify(status="ok" if healthy else "error", **checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/theme.css")
def theme_css():
    """The theme's colours as CSS custom properties. Linked with ?v=<theme version>, so it may be cached for long."""
    current = theme.current_theme()
    response = current_app.response_class(core_theme.stylesheet(current), mimetype="text/css")
    response.headers["Cache-Control"] = ("public, max-age=31536000, immutable"
                                         if request.args.get("v") == current.version else "no-cache")
    return response


@bp.route("/theme/<any(logo, favicon):kind>")
def theme_image(kind: str):
    """The theme's logo or favicon (sanitised when saved), served so that even opened on its own it runs nothing."""
    stored = theme.image(kind)
    if stored is None:
        abort(404)
    response = current_app.response_class(stored.data, mimetype=stored.content_type)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
