"""The Flask application class of the site."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from inspect import iscoroutinefunction
from typing import Any

from flask import Flask


@lru_cache(maxsize=4096)
def _is_coroutine_function(func: Callable[..., Any]) -> bool:
    return iscoroutinefunction(func)


class Application(Flask):
    """Flask, with the answer to "is this hook or view an ``async def``?" kept per function.

    Flask asks it (inspect.iscoroutinefunction) before calling each hook, context processor and view of every
    request, about twenty times per page, and the answer never changes for a function. Functions made per request
    (``after_this_request``) only pass through the bounded cache."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            is_coroutine = _is_coroutine_function(func)
        except TypeError:  # a callable object that cannot be a key
            is_coroutine = iscoroutinefunction(func)
        return self.async_to_sync(func) if is_coroutine else func
