"""Filters and globals every template may use. Formatting only: no rules here."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, has_request_context
from flask_login import current_user

from lms import authz
from lms.core import locales
from lms.core.credentials import hours_phrase
from lms.core.durations import duration_phrase
from lms.core.theme import DEFAULT
from lms.services import theme


def local_time(value: datetime | None, tz_name: str | None = None, fmt: str = "%d %b %Y, %H:%M %Z") -> str:
    if value is None:
        return ""
    if tz_name is None:
        tz_name = getattr(current_user, "timezone", None) or "UTC"
    return value.astimezone(ZoneInfo(tz_name)).strftime(fmt)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(locales.country_name, "country_name")
    app.add_template_filter(duration_phrase, "duration")  # seconds as "12 minutes", "3 hours"
    app.add_template_filter(locales.language_name, "language_name")
    app.add_template_filter(locales.own_language_name, "own_language_name")  # "Español", "한국어": a language switch
    app.add_template_filter(hours_phrase, "hours")  # "12 hours", "1.5 hours", "1 hour": the same everywhere

    @app.context_processor
    def navigation() -> dict:
        if not has_request_context():  # mail rendered by a CLI command (reminders) has no logged-in user
            return {"is_admin": False, "is_staff": False}
        return {"is_admin": authz.is_admin(current_user), "is_staff": authz.is_staff(current_user)}

    @app.context_processor
    def site_theme() -> dict:
        try:
            return {"theme": theme.current_theme()}
        except Exception:  # an error page must still render when the database is what failed
            return {"theme": DEFAULT}
