from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from lms.core import theme as core_theme
from lms.extensions import db, limiter
from lms.services import accounts, outbox, theme
from lms.web import i18n
from lms.web.access import acting_user
from lms.web.safe_urls import safe_next_url

bp = Blueprint("public", __name__, template_folder="templates")


@bp.route("/")
def index():
    return render_template("public/index.html")


@bp.route("/language", methods=["POST"])
def language():
    """The language menu (a form, so it works without JavaScript): the choice is kept in the session and, for a
    person who is logged in, on their profile. Back to the page the menu was on; an unknown code changes nothing."""
    code = i18n.interface_language(request.form.get("language"))
    if code:
        session[i18n.SESSION_KEY] = code
        if current_user.is_authenticated:
            accounts.set_preferred_language(acting_user(), code)
    return redirect(safe_next_url(request.form.get("next")) or url_for("public.index"))


def _database_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database is what this endpoint reports
        db.session.rollback()
        return False
    return True


def _mail_queue_check(max_age_minutes: int) -> dict[str, object]:
    waited = outbox.queue_status().oldest_waiting_seconds
    stalled = max_age_minutes > 0 and waited > max_age_minutes * 60
    return {"mail_queue": "stalled" if stalled else "ok", "oldest_queued_seconds": waited}


@bp.route("/healthz")
def healthz():
    """For load balancers and monitoring: 200 when this instance can serve, 503 when the database (or the Redis that
    holds the rate-limit counters, when there is one) does not answer, or when the oldest undelivered e-mail has
    waited longer than LMS_HEALTH_MAIL_QUEUE_MAX_AGE_MINUTES (no worker runs, or the mail server is down).
    Never cached."""
    checks = {"database": "ok" if _database_reachable() else "unreachable"}
    config = current_app.config
    if config["RATELIMIT_ENABLED"] and config["RATELIMIT_STORAGE_URI"].startswith("redis"):  # rediss, sentinel…
        checks["redis"] = "ok" if limiter.storage.check() else "unreachable"
    queue = _mail_queue_check(config["HEALTH_MAIL_QUEUE_MAX_AGE_MINUTES"]) if checks["database"] == "ok" else {}
    checks.update(queue)
    healthy = all(value == "ok" for name, value in checks.items() if name != "oldest_queued_seconds")
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
