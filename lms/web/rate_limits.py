"""Rate limits are checked on the routes that have one, and only there.

Every limit of this site sits on a route (``@limiter.limit(configured_limit(...))`` in the blueprints), and such a
route checks its limits itself when its view is called. Flask-Limiter also runs a check before every request, for the
limits meant for all requests (default, application-wide, per-blueprint and meta limits). The site sets none, so that
check would look for limits that are not there on every view of every page (about 5 % of the home page's CPU): it
is dropped then, and kept as soon as any such limit is configured (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION,
RATELIMIT_META, or a limit on a blueprint).

After each request Flask-Limiter adds the headers of the limit it checked and applies its conditional deductions, and
at teardown it clears what it kept for the request; on a route without limits both would first create that
per-request state, only to find it empty. They run only in a request whose route checked a limit, then.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import Flask, Response
from flask.globals import request_ctx
from flask_limiter import Limiter

# Where Flask-Limiter keeps a request's state (flask_limiter.Limiter.context), created by the first limit check.
_REQUEST_STATE = "_limiter_request_context"


def _checked_a_limit() -> bool:
    return hasattr(request_ctx._get_current_object(), _REQUEST_STATE)


def _after_a_limit_check(inject_headers: Callable[[Response], Response]) -> Callable[[Response], Response]:
    def inject_headers_of_the_limit_checked(response: Response) -> Response:
        return inject_headers(response) if _checked_a_limit() else response

    return inject_headers_of_the_limit_checked


def _teardown_after_a_limit_check(release: Callable[[BaseException | None], None]):
    def release_what_the_limit_check_kept(error: BaseException | None = None) -> None:
        if _checked_a_limit():
            release(error)

    return release_what_the_limit_check_kept


def limits_for_every_request(app: Flask, limiter: Limiter) -> bool:
    manager = limiter.limit_manager
    return bool(manager.default_limits or manager.application_limits or app.config.get("RATELIMIT_META")
                or getattr(limiter, "_meta_limits", None)
                or any(manager.blueprint_limits(app, name) for name in app.blueprints))


def check_only_limited_routes(app: Flask, limiter: Limiter) -> None:
    """Call once the blueprints are registered (their limits are known then)."""
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit not in hooks or limits_for_every_request(app, limiter):  # absent when disabled
        return
    hooks.remove(limiter._check_request_limit)
    after = app.after_request_funcs.get(None, [])
    for index, hook in enumerate(after):
        if isinstance(hook, partial) and hook.args == (limiter,):  # partial(Limiter.__inject_headers, limiter)
            after[index] = _after_a_limit_check(hook)
    teardown = app.teardown_request_funcs.get(None, [])
    for index, hook in enumerate(teardown):
        if hook == limiter._Limiter__release_context:
            teardown[index] = _teardown_after_a_limit_check(hook)
