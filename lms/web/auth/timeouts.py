"""Signing in and out, and the idle and absolute session timeouts.

The absolute clock starts when the person types their password. That moment travels inside the identity Flask-Login
keeps in the session and copies into the remember-me cookie, ``<user id>:<session token>:<signed in at>``, both
signed with the secret key: a remember-me cookie brings a log-in back only inside that window and never extends it.

The idle clock is the session's ``_seen_at``, moved at most once a minute, so that the session cookie is not sent
again with every response. "Keep me logged in" asks not to be signed out for being away, so remembered log-ins are
spared the idle limit (after a browser restart there would be no idle clock to go by anyway), never the absolute one.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import NamedTuple

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_url, login_user, logout_user, user_loaded_from_cookie

from lms.core.durations import quantity_phrase
from lms.services import accounts

# Flask-Login's session key for the identity; the remember-me cookie is made from it.
IDENTITY = "_user_id"
SEEN_AT = "_seen_at"
REMEMBERED = "_remembered"
SEEN_AT_RESOLUTION = 60  # seconds


def current_time() -> int:
    """Seconds since the epoch; the one clock of this module (tests move it)."""
    return int(time.time())


class Identity(NamedTuple):
    user_id: int
    login_token: str  # the server's record of this log-in (lms.models.Login): logging out deletes it
    signed_in_at: int


def parse_identity(value: str) -> Identity | None:
    """None for anything but ``<id>:<token>:<time>`` (including identities from before timeouts were kept)."""
    parts = value.split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1] or not parts[2].isdigit():
        return None
    return Identity(int(parts[0]), parts[1], int(parts[2]))


def _minutes(span: timedelta) -> str:
    return quantity_phrase(int(span.total_seconds() // 60), "duration-minute", str(get_locale()))


def _hours(span: timedelta) -> str:
    return quantity_phrase(int(span.total_seconds() // 3600), "duration-hour", str(get_locale()))


def sign_in(user, *, remember: bool = False) -> None:
    """Start a log-in: a fresh session (nothing from before survives: session fixation), a new log-in recorded on
    the server, and fresh clocks."""
    now = current_time()
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"]
    _end_this_login()
    session.clear()
    token = accounts.start_login(user)
    # The remember-me cookie would be refused after the absolute limit, so the browser may as well drop it then.
    login_user(user, remember=remember, duration=min(current_app.config["REMEMBER_COOKIE_DURATION"], absolute))
    session[IDENTITY] = f"{user.id}:{token}:{now}"
    session[SEEN_AT] = now
    if remember:
        session[REMEMBERED] = True


def current_login_token() -> str | None:
    identity = parse_identity(session.get(IDENTITY, ""))
    return identity.login_token if identity else None


def _end_this_login() -> None:
    token = current_login_token()
    if token:
        accounts.end_login(token)  # the session and remember-me cookies, wherever copies of them are, stop working


def sign_out() -> None:
    _end_this_login()
    # Clear first: logout_user marks the remember-me cookie for deletion in the session.
    session.clear()
    logout_user()


def _restored_from_cookie(app, user, **_extra) -> None:
    """A remember-me cookie brought the log-in back (a new browser session): bind the new session to this browser,
    as log-in does, or Flask-Login's strong session protection would end it on the next request."""
    session["_id"] = app.login_manager._session_identifier_generator()
    session[REMEMBERED] = True


user_loaded_from_cookie.connect(_restored_from_cookie)


def end_expired_session():
    """Before every request: sign out a log-in past either limit and send the person to log in again, with a
    message that says why."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    identity = parse_identity(session.get(IDENTITY, ""))
    if identity is None:  # not an identity this module made; the user loader refuses these
        return None
    config = current_app.config
    now = current_time()
    absolute, idle = config["SESSION_ABSOLUTE_TIMEOUT"], config["SESSION_IDLE_TIMEOUT"]
    seen_at = session.get(SEEN_AT)
    if now - identity.signed_in_at >= absolute.total_seconds():
        message = _("You were signed out because you logged in more than %(hours)s ago. Please log in again.",
                    hours=_hours(absolute))
    elif seen_at is not None and not session.get(REMEMBERED) and now - seen_at >= idle.total_seconds():
        message = _("You were signed out after %(minutes)s without activity. Please log in again.",
                    minutes=_minutes(idle))
    else:
        if seen_at is None or now - seen_at >= SEEN_AT_RESOLUTION:
            session[SEEN_AT] = now
        return None
    sign_out()
    flash(message, "info")
    if request.method == "GET" and request.endpoint != "auth.login":
        return redirect(login_url("auth.login", next_url=request.url))
    return redirect(url_for("auth.login"))
