"""Pooled database connections: no extra round trip per request, and a connection the server ended is replaced, not
a 500 (lms/models/postgres.py)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, text

from tests.conftest import is_postgres


def test_a_page_runs_its_own_statements_and_no_ping(app, db, client, login_as):
    """What the database driver is asked to run, traced by SQLite itself (pool_pre_ping's SELECT 1 goes round
    SQLAlchemy's statement events): a logged-in home page reads the log-in and nothing else."""
    if is_postgres(app):
        pytest.skip("traced by SQLite; on PostgreSQL the test below covers the other side")
    login_as("learner")
    sent: list[str] = []
    db.session.remove()
    db.engine.dispose()  # new connections, each traced from its start

    def trace(dbapi_connection, _record) -> None:
        dbapi_connection.set_trace_callback(sent.append)

    event.listen(db.engine, "connect", trace)
    try:
        client.get("/")  # a connection's first checkout is never pinged: the second view is the one to read
        sent.clear()
        assert client.get("/").status_code == 200
    finally:
        event.remove(db.engine, "connect", trace)
    statements = [statement for statement in sent if statement.split()[0].upper() not in ("BEGIN", "ROLLBACK")]
    assert len(statements) == 1 and "logins" in statements[0], sent


@pytest.mark.postgres
def test_a_page_after_the_server_ended_the_pooled_connections_is_served(app, db, client, login_as):
    if not is_postgres(app):
        pytest.skip("terminating backends needs PostgreSQL; set LMS_TEST_DATABASE_URL")
    login_as("learner")
    # Fill the pool with connections whose backends are then terminated while they sit idle in it.
    held = [db.engine.connect() for _ in range(3)]
    pids = [connection.execute(text("SELECT pg_backend_pid()")).scalar_one() for connection in held]
    for connection in held:
        connection.close()
    with db.engine.connect() as killer:
        victims = [pid for pid in pids if pid != killer.execute(text("SELECT pg_backend_pid()")).scalar_one()]
        killer.execute(text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) AS pid"),
                       {"pids": victims})
        killer.commit()
        deadline = time.monotonic() + 30
        while True:  # pg_stat_activity is read once per transaction: a new one each time
            alive = killer.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(CAST(:pids AS int[]))"),
                                   {"pids": victims}).scalar_one()
            killer.commit()
            if not alive:
                break
            assert time.monotonic() < deadline, "the terminated backends did not end"
            time.sleep(0.05)
    for _ in range(4):  # every pooled connection is taken out at least once
        assert client.get("/").status_code == 200
        assert client.get("/learning").status_code == 200


@pytest.mark.postgres
def test_the_statements_of_pages_that_only_read_stay_prepared(app, db, client, login_as):
    """psycopg prepares a statement run five times on a connection, and forgets every one on ROLLBACK; a request that
    only read used to end so, and PostgreSQL planned each view's statements again (lms/models/postgres.py)."""
    if not is_postgres(app):
        pytest.skip("prepared statements are PostgreSQL's; set LMS_TEST_DATABASE_URL")
    login_as("learner")
    db.session.remove()
    db.engine.dispose()  # one pooled connection, which the requests below take in turn
    for _ in range(7):
        assert client.get("/").status_code == 200
    with db.engine.connect() as connection:
        prepared = connection.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
    assert any("logins" in statement for statement in prepared), prepared


@pytest.mark.postgres
@pytest.mark.parametrize("change", [
    "UPDATE users SET display_name = 'Changed' WHERE id = :id",
    "WITH changed AS (UPDATE users SET display_name = 'Changed' WHERE id = :id RETURNING id) SELECT id FROM changed",
])
def test_a_transaction_that_wrote_is_still_rolled_back(app, db, make_user, change):
    if not is_postgres(app):
        pytest.skip("the read-only commit is PostgreSQL's; set LMS_TEST_DATABASE_URL")
    user = make_user(display_name="Original")
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        connection.execute(text(change), {"id": user.id})
        connection.rollback()
        assert connection.execute(text("SELECT display_name FROM users WHERE id = :id"),
                                  {"id": user.id}).scalar_one() == "Original"


@pytest.mark.postgres
def test_a_setting_changed_in_a_transaction_is_undone_by_its_rollback(app, db):
    if not is_postgres(app):
        pytest.skip("the read-only commit is PostgreSQL's; set LMS_TEST_DATABASE_URL")
    with db.engine.connect() as connection:
        before = connection.execute(text("SHOW application_name")).scalar_one()
        connection.rollback()
        connection.execute(text("SET application_name = 'changed in a transaction'"))
        connection.rollback()
        assert connection.execute(text("SHOW application_name")).scalar_one() == before


@pytest.mark.postgres
def test_a_transaction_whose_statement_failed_rolls_back_and_the_connection_serves_again(app, db):
    if not is_postgres(app):
        pytest.skip("the read-only commit is PostgreSQL's; set LMS_TEST_DATABASE_URL")
    with db.engine.connect() as connection:
        with pytest.raises(Exception, match="division by zero"):
            connection.execute(text("SELECT 1 / 0"))
        connection.rollback()
        assert connection.execute(text("SELECT 2")).scalar_one() == 2
