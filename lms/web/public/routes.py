from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from lms.extensions import db

bp = Blueprint("public", __name__, template_folder="templates")


@bp.route("/")
def index():
    return render_template("public/index.html")


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database is what this endpoint reports
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
