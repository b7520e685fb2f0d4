from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from sqlalchemy import text

from lms.extensions import db, limiter

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
