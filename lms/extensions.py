"""Extensions, created unbound and attached to the app in create_app()."""

from collections.abc import Callable

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from lms.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def configured_limit(setting: str) -> Callable[[], str]:
    """A rate limit read from the app's configuration at request time (the RATELIMIT_* settings of config.py), for
    ``@limiter.limit(configured_limit("RATELIMIT_UPLOAD"), methods=["POST"])``."""
    return lambda: current_app.config[setting]
