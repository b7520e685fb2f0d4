"""Log-in, registration, profile and password pages."""

from __future__ import annotations

from flask_login import LoginManager

from lms.extensions import db
from lms.models import User
from lms.web.auth.timeouts import parse_identity


def load_user(cookie_id: str) -> User | None:
    """The session and the remember-me cookie hold "<id>:<session token>:<signed in at>" (lms.web.auth.timeouts);
    a changed token (password change) ends that log-in."""
    identity = parse_identity(cookie_id)
    if identity is None:
        return None
    user = db.session.get(User, identity.user_id)
    if user is None or user.session_token != identity.session_token or not user.active:
        return None
    return user


def configure_login_manager(manager: LoginManager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = "Please log in to see this page."
    manager.login_message_category = "info"
    manager.session_protection = "strong"
    manager.user_loader(load_user)
