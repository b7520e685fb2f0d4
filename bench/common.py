"""What every benchmark needs: an app on a fresh, migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def bench_app(folder: Path, database_url: str | None = None) -> Iterator[Flask]:
    """An app in production-like settings on a fresh database (a SQLite file in ``folder`` unless a URL is given)."""
    from flask_migrate import upgrade

    import config
    from lms import create_app
    from lms.extensions import db

    url = config.normalise_database_url(database_url) if database_url else f"sqlite:///{folder / 'bench.sqlite3'}"
    if url.startswith("postgresql"):
        reset_postgres(url)

    class BenchConfig(config.DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = url
        INSTANCE_PATH = str(folder / "instance")
        SECRET_KEY = "benchmark"  # noqa: S105
        LOG_LEVEL = "WARNING"
        RATELIMIT_ENABLED = False

    app = create_app(BenchConfig)
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()
