"""A test run has its database to itself: two runs on one PostgreSQL database would delete each other's rows (each
test's teardown empties every table), which once showed as an ObjectDeletedError on a Cohort that
tests/services/test_applications.py had just created. See claim_test_database in tests/conftest.py."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import TEST_RUN_LOCK, DatabaseInUse, claim_test_database, is_postgres


def test_a_second_run_on_the_same_database_is_refused_with_the_reason(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not is_postgres(app):
        assert url.startswith("sqlite:///") and "pytest-" in url, "each SQLite run has a file of its own"
        return
    other = create_engine(url, poolclass=NullPool)  # another run: another connection, asking for the same lock
    with other.connect() as connection:
        assert connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": TEST_RUN_LOCK}).scalar_one() \
            is False, "this run holds the lock"
    other.dispose()


def test_claiming_a_database_another_run_holds_says_so(app, monkeypatch):
    if not is_postgres(app):
        return  # SQLite: nothing is shared (see the test above)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    import tests.conftest as conftest

    monkeypatch.setattr(conftest, "_claims", {})  # as a second process would start: holding nothing
    with pytest.raises(DatabaseInUse, match=r"Another test run is using .* give this run its own database"):
        claim_test_database(url)
