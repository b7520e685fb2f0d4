"""Log-in, registration, profile and password pages."""

from __future__ import annotations

from flask_login import LoginManager

from lms.extensions import db
from lms.models import User


def load_user(cookie_id: str) -> User | None:
    """The login cookie holds "<id>:<session token>"; a changed token (password change) ends that session."""
    user_id, _, token = cookie_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or not user.active:
        return None
    return user


def configure_login_manager(manager: LoginManager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = "Please log in to see this page."
    manager.login_message_category = "info"
    manager.session_protection = "strong"
    manager.user_loader(load_user)
