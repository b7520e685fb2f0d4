"""Security headers on every response (pages carry no inline script or style, so the policy can forbid both), and the
CSRF token each page's forms carry, signed once per session."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from flask import Flask, Response, current_app, g, request, session
from itsdangerous import URLSafeTimedSerializer


def content_security_policy(video_hosts: Iterable[str]) -> str:
    """Frames only from the video hosts the site allows (a lesson's external player, loaded when the learner asks)."""
    frames = " ".join(f"https://{host}" for host in video_hosts) or "'none'"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "font-src 'self'",
        f"frame-src {frames}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def security_headers(app: Flask) -> tuple[tuple[str, str], ...]:
    """The headers every response carries unless its view set its own (a sandboxed file's policy), built once."""
    headers = [
        ("Content-Security-Policy", content_security_policy(app.config.get("VIDEO_HOSTS", ()))),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return tuple(headers)


def set_security_headers(response: Response) -> Response:
    # One look at the headers already set, where asking for each missing one (Headers.setdefault) raises and catches
    # a KeyError inside Werkzeug: 2 % of the home page's CPU for six headers.
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    for name, value in current_app.extensions["lms_security_headers"]:
        if name.lower() not in present:
            headers.add(name, value)
    return response


# Flask-WTF's salt for its tokens (flask_wtf.csrf.generate_csrf and validate_csrf).
CSRF_SALT = "wtf-csrf-token"


@lru_cache(maxsize=10_000)
def _signed_csrf_token(secret_key: str, raw_token: str) -> str:
    return URLSafeTimedSerializer(secret_key, salt=CSRF_SALT).dumps(raw_token)


def reuse_signed_csrf_token() -> None:
    """Before a request: hand Flask-WTF this session's signed CSRF token, signed once per session and process.

    Flask-WTF keeps a random token in the session and signs it, with a timestamp, for each request that renders a
    form (4 % of a page's CPU). The timestamp only matters with a time limit, and the token lives as long as the
    session here (WTF_CSRF_TIME_LIMIT = None), so the signature made for the session's first page serves its later
    ones. It is given to Flask-WTF where it keeps the token of a request (``g.csrf_token``, as its documentation
    describes); checking a posted token is Flask-WTF's, unchanged. A session without a token yet gets one from
    Flask-WTF when a form needs it."""
    config = current_app.config
    # Only page views: an action (POST) may end the session and start another before it renders anything.
    if request.method != "GET" or request.endpoint == "static" or config["WTF_CSRF_TIME_LIMIT"] is not None:
        return
    field = config["WTF_CSRF_FIELD_NAME"]
    raw_token = session.get(field)
    if isinstance(raw_token, str):
        secret_key = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        setattr(g, field, _signed_csrf_token(secret_key, raw_token))


def register(app: Flask) -> None:
    app.extensions["lms_security_headers"] = security_headers(app)
    app.before_request(reuse_signed_csrf_token)
    app.after_request(set_security_headers)
