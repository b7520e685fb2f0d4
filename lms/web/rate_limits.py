"""Rate limits are checked on the routes that have one, and only there.

Every limit of this site sits on a route (``@limiter.limit(configured_limit(...))`` in the blueprints), and such a
route checks its limits itself when its view is called. Flask-Limiter also runs a check before every request, for the
limits meant for all requests (default, application-wide, per-blueprint and meta limits). The site sets none, so that
check would look for limits that are not there on every view of every page (about 5 % of the home page's CPU): it
is dropped then, and kept as soon as any such limit is configured (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION,
RATELIMIT_META, or a limit on a blueprint).
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter


def limits_for_every_request(app: Flask, limiter: Limiter) -> bool:
    manager = limiter.limit_manager
    return bool(manager.default_limits or manager.application_limits or app.config.get("RATELIMIT_META")
                or getattr(limiter, "_meta_limits", None)
                or any(manager.blueprint_limits(app, name) for name in app.blueprints))


def check_only_limited_routes(app: Flask, limiter: Limiter) -> None:
    """Call once the blueprints are registered (their limits are known then)."""
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks and not limits_for_every_request(app, limiter):  # absent when disabled
        hooks.remove(limiter._check_request_limit)
