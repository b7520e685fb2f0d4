"""Log-in, registration, profile and password pages."""

from __future__ import annotations

from flask_login import LoginManager

from lms.models import User
from lms.services import accounts
from lms.web.auth.timeouts import parse_identity


def load_user(cookie_id: str) -> User | None:
    """The session and the remember-me cookie hold "<id>:<login token>:<signed in at>" (lms.web.auth.timeouts);
    the log-in must still exist on the server: logging out, "log out everywhere" and a password change end it."""
    identity = parse_identity(cookie_id)
    if identity is None:
        return None
    return accounts.user_of_login(identity.user_id, identity.login_token)


def configure_login_manager(manager: LoginManager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = "Please log in to see this page."
    manager.login_message_category = "info"
    manager.session_protection = "strong"
    manager.user_loader(load_user)
