"""Gates for whole views or blueprints. Per-object checks live in services (see lms.authz)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from lms import authz


def require_role(*roles: str) -> None:
    """For a blueprint's before_request: anonymous people go to the log-in page, others without the role get 403."""
    from lms.extensions import login_manager

    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not authz.has_role(current_user, *roles):
        abort(403)


def role_required(*roles: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require_role(*roles)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def acting_user():
    """The logged-in user as a real object (not Flask-Login's proxy), to hand to services."""
    return current_user._get_current_object()
