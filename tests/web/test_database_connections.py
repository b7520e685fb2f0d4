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
