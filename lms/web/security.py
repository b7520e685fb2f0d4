"""Security headers on every response. Pages carry no inline script or style, so the policy can forbid both."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, current_app


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


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.extensions["lms_csp"])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def register(app: Flask) -> None:
    app.extensions["lms_csp"] = content_security_policy(app.config.get("VIDEO_HOSTS", ()))
    app.after_request(set_security_headers)
    if app.config.get("SESSION_COOKIE_SECURE"):

        @app.after_request
        def strict_transport_security(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
            return response
