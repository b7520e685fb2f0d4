"""Shared fixtures.

One app and one migrated database per test session; every test starts from empty tables. The database is SQLite in a
temporary file unless LMS_TEST_DATABASE_URL points at another (CI runs the suite a second time on PostgreSQL).
"""

from __future__ import annotations

import atexit
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.pool import NullPool

import config
from lms import create_app
from lms.extensions import db as _db
from lms.extensions import limiter
from lms.services import outbox as outbox_service
from lms.services import scheduled_jobs, theme
from tests import factories

DEFAULT_PASSWORD = factories.DEFAULT_PASSWORD


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if url:
        return config.normalise_database_url(url)
    return f"sqlite:///{tmp_dir / 'test.sqlite3'}"


# A PostgreSQL database serves one test run at a time. Two runs on the same database (two engineers, or a focused run
# beside a full one) delete each other's rows: every test's teardown empties every table, so the other run's objects
# vanish under it (an ObjectDeletedError on a Cohort the test had just created, and the first run's schema dropped by
# the second's start). A run holds this advisory lock for its whole life, on a connection of its own; a second run
# on the same database stops at once and says why. SQLite runs use a file of their own and need no lock.
TEST_RUN_LOCK = 0x4C4D5354  # "LMST"
_claims: dict[str, object] = {}


class DatabaseInUse(RuntimeError):
    pass


def claim_test_database(url: str) -> None:
    """Hold the test-run lock on this PostgreSQL database for the rest of the process (once per process)."""
    if not url.startswith("postgresql") or url in _claims:
        return
    engine = create_engine(url, poolclass=NullPool)
    connection = engine.connect()
    if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": TEST_RUN_LOCK}).scalar_one():
        holder = connection.execute(text(
            "SELECT a.pid, a.application_name, a.client_addr FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
            "WHERE l.locktype = 'advisory' AND l.objid = :key AND l.granted AND a.datname = current_database()"),
            {"key": TEST_RUN_LOCK}).first()
        connection.close()
        engine.dispose()
        raise DatabaseInUse(
            f"Another test run is using {make_url(url).database!r} (PostgreSQL backend {holder[0] if holder else '?'}):"
            " two runs on one database delete each other's rows. Wait for it to finish, or give this run its own "
            "database in LMS_TEST_DATABASE_URL.")
    connection.commit()  # the lock is the session's, not the transaction's: it stays while the connection lives
    _claims[url] = (engine, connection)
    atexit.register(_release, connection, engine)  # closed, not left to the interpreter (a ResourceWarning)


def _release(connection, engine) -> None:
    connection.close()
    engine.dispose()


def _reset_database(url: str) -> None:
    """Start from nothing, so the schema under test is the one the migrations build."""
    if not url.startswith("postgresql"):
        return
    claim_test_database(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as on a real server: a fresh `g` and database session, so nothing
    cached by the test (or by an earlier request) leaks into the request."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    tmp_dir = tmp_path_factory.mktemp("lms")
    url = _database_url(tmp_dir)
    _reset_database(url)

    class SessionConfig(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        INSTANCE_PATH = str(tmp_dir / "instance")

    application = create_app(SessionConfig)
    application.test_client_class = FreshContextClient
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture
def other_app(app):
    """Build another app (another configuration) on the test database; its connections are closed afterwards."""
    built = []

    def _build(config_class):
        config_class.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        config_class.INSTANCE_PATH = app.config["INSTANCE_PATH"]
        application = create_app(config_class)
        built.append(application)
        return application

    yield _build
    for application in built:
        with application.app_context():
            _db.engine.dispose()


@pytest.fixture
def db(app) -> Iterator:
    with app.app_context():
        limiter.reset()
        theme.assume_theme()  # the tables are empty: the default theme, known without a query on every page
        yield _db
        _db.session.rollback()
        _db.session.remove()
        with _db.engine.begin() as connection:
            for table in reversed(_db.metadata.sorted_tables):
                connection.execute(table.delete())
        theme.assume_theme()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app) -> Iterator[factories.Outbox]:
    def drain() -> None:
        with app.app_context():  # its own database session, as a worker process has
            scheduled_jobs.run_queued_work()  # announcements become messages, as the worker's round does first
            outbox_service.drain("tests")

    box = factories.Outbox(Path(app.instance_path) / "outbox", drain)
    box.clear()
    yield box
    box.clear()


@pytest.fixture
def make_user(db):
    return factories.make_user


@pytest.fixture
def login_as(client, db):
    """login_as("admin") or login_as(user): creates the user when given a role, logs in through the real form."""

    def _login(who, password: str = DEFAULT_PASSWORD):
        user = factories.make_user(role=who) if isinstance(who, str) else who
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login


@pytest.fixture
def count_queries(db):
    """with count_queries() as queries: ...; len(queries) is the number of SQL statements run inside."""

    @contextmanager
    def _count():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)", statement, re.I):
                statements.append(statement)

        event.listen(_db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(_db.engine, "before_cursor_execute", before)

    return _count


@pytest.fixture
def query_plan(db):
    """query_plan(call) -> the steps of the database's plan for the last statement ``call()`` runs, as text: SQLite's
    EXPLAIN QUERY PLAN, or PostgreSQL's EXPLAIN with sequential scans off (it reads tables this small whole)."""

    def _plan(call) -> list[str]:
        statements = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            statements.append((statement, parameters))

        event.listen(_db.engine, "before_cursor_execute", capture)
        try:
            call()
        finally:
            event.remove(_db.engine, "before_cursor_execute", capture)
        statement, parameters = statements[-1]
        connection = _db.session.connection()
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            return list(connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars())
        return [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]

    return _plan


def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
