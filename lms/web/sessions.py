"""Flask's signed-cookie session, without redoing per request what a process can do once.

Flask builds the cookie's serializer anew for every request (and, to build it, serialises a test value to learn that
it writes text), then checks the cookie's signature with a fresh HMAC: together about a tenth of a logged-in page's
pipeline. A session cookie only changes when the session does, which here is on log-in and at most once a minute
after (the idle clock, lms.web.auth.timeouts), so a learner's views within that minute send the same cookie.

So the serializer is built once per secret key, and a cookie whose signature was found good is remembered, with the
moment it was signed, in a bounded cache keyed by the serializer (its keys) and the cookie's exact text. Everything
else is as Flask does it: a cookie older than the session lifetime (or signed in the future) opens an empty session,
a bad signature too. No two requests share a session's data: a payload of plain values (the identity, the clocks, the
CSRF token, the language) is decoded once and each request gets its own copy; any other (a list of flashed messages)
is decoded afresh for each request.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any, NamedTuple

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

# Cookies of the learners active in the last minute or so, per process; a forged cookie is never kept.
_MOST_COOKIES_KEPT = 4096
# Values a request cannot change in place, so a shallow copy of the session gives each request its own.
_PLAIN = (str, int, float, bool, type(None))


class _VerifiedCookie(NamedTuple):
    payload: bytes
    signed_at: int  # seconds since the epoch
    plain_data: dict[str, Any] | None  # the payload decoded, when it holds plain values only


@lru_cache(maxsize=_MOST_COOKIES_KEPT)
def _verified_cookie(serializer: URLSafeTimedSerializer, cookie: str) -> _VerifiedCookie:
    """A cookie this serializer signed; BadSignature otherwise."""
    error: BadSignature | None = None
    for signer in serializer.iter_unsigners():
        try:
            payload, signed_at = signer.unsign(cookie, return_timestamp=True)
        except BadSignature as refused:
            error = refused
        else:
            data = serializer.load_payload(payload)
            plain = isinstance(data, dict) and all(type(value) in _PLAIN for value in data.values())
            return _VerifiedCookie(payload, int(signed_at.timestamp()), data if plain else None)
    raise error or BadSignature("no signer")


class CookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is None:  # no secret key: no session
                return None
            self._serializers[keys] = serializer
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        try:
            verified = _verified_cookie(serializer, cookie)
        except BadSignature:
            return self.session_class()
        # itsdangerous's rule for max_age, as Flask asks it: whole seconds, and never signed in the future.
        age = int(time.time()) - verified.signed_at
        if age < 0 or age > int(app.permanent_session_lifetime.total_seconds()):
            return self.session_class()
        if verified.plain_data is not None:
            return self.session_class(dict(verified.plain_data))
        return self.session_class(serializer.load_payload(verified.payload))


def register(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
