"""LMS-lite: a self-paced e-learning engine for training programmes of cities and local governments."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

import config as settings
from lms.web.application import Application

log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """The configuration cannot work; the message says what to set."""


def create_app(config: type[settings.Config] | Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    ``config`` is a config class (e.g. ``config.TestConfig``), a mapping of overrides applied on top of the class
    that ``LMS_ENV`` selects, or None for that class alone.
    """
    values = _collect_config(config)
    instance_path = Path(values["INSTANCE_PATH"])
    app = Application(__name__, instance_path=str(instance_path))
    _use_our_jinja_environment(app)
    app.config.update(values)

    _trust_proxies(app)
    _observe_requests(app)
    _ensure_secret_key(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_cli(app)
    return app


def _collect_config(config: type[settings.Config] | Mapping[str, Any] | None) -> dict[str, Any]:
    if isinstance(config, type):
        base, overrides = config, {}
    else:
        base, overrides = settings.config_from_environment(), dict(config or {})
    values = {key: getattr(base, key) for key in dir(base) if key.isupper()}
    values.update(overrides)
    return values


def _use_our_jinja_environment(app: Flask) -> None:
    """Before anything builds app.jinja_env (lms.web.templating.Environment says why)."""
    from lms.web.templating import Environment

    app.jinja_environment = Environment


def _trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the headers of the configured number of proxies in front."""
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]


def _observe_requests(app: Flask) -> None:
    """Log format and level, and the request id with the access line (first, so every later hook's logs carry it)."""
    from lms.web import observability

    observability.init_app(app)


def _ensure_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config["REQUIRE_SECRET_KEY"]:
        raise ConfigurationError(
            "LMS_SECRET_KEY is not set. Production refuses to start without a secret key: generate one with\n"
            "  python -c 'import secrets; print(secrets.token_urlsafe(48))'\n"
            "and set it in the environment of every app process (the same value in each)."
        )
    # Development: generate one key and keep it, so sessions survive restarts.
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        log.info("generated a development secret key in %s", key_file)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def _init_extensions(app: Flask) -> None:
    from lms import models  # noqa: F401  (registers every table on the metadata)
    from lms.extensions import csrf, db, limiter, login_manager, migrate
    from lms.models.base import render_migration_item
    from lms.models.discussion_index import include_in_schema_comparison
    from lms.web import auth, i18n, sessions

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True, render_item=render_migration_item,
                     include_name=include_in_schema_comparison)
    sessions.register(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    auth.configure_login_manager(login_manager)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from lms.models.sqlite import enable_sqlite_foreign_keys

        with app.app_context():
            enable_sqlite_foreign_keys(db.engine)
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        from lms.models.postgres import configure_connections

        with app.app_context():
            configure_connections(db.engine)


def _register_blueprints(app: Flask) -> None:
    from lms.web import query_args, security
    from lms.web.admin.routes import bp as admin_bp
    from lms.web.auth.routes import bp as auth_bp
    from lms.web.author.routes import bp as author_bp
    from lms.web.certificates.routes import bp as certificates_bp
    from lms.web.discussions.routes import bp as discussions_bp
    from lms.web.learner.routes import bp as learner_bp
    from lms.web.programmes.routes import bp as programmes_bp
    from lms.web.public.routes import bp as public_bp
    from lms.web.reports.routes import bp as reports_bp
    from lms.web.staff.routes import bp as staff_bp
    from lms.web.templating import register_template_helpers

    query_args.register(app)
    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(learner_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(author_bp, url_prefix="/author")
    app.register_blueprint(certificates_bp)
    app.register_blueprint(programmes_bp)
    app.register_blueprint(staff_bp, url_prefix="/staff")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(discussions_bp)
    security.register(app)
    register_template_helpers(app)
    _check_rate_limits_where_they_apply(app)


def _check_rate_limits_where_they_apply(app: Flask) -> None:
    from lms.extensions import limiter
    from lms.web.rate_limits import check_only_limited_routes

    check_only_limited_routes(app, limiter)


def _register_error_handlers(app: Flask) -> None:
    from lms.web import errors

    errors.register(app)


def _register_cli(app: Flask) -> None:
    from lms.cli import lms_cli

    app.cli.add_command(lms_cli)
