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


@pytest.mark.postgres
def test_a_statement_run_again_makes_no_column_descriptions(app, db, make_user, monkeypatch):
    """SQLAlchemy reads a result's description once per compiled statement; psycopg made a Column object for every
    column of every result all the same (0.65 microseconds a column; lms/models/postgres.py)."""
    if not is_postgres(app):
        pytest.skip("psycopg's cursors; set LMS_TEST_DATABASE_URL")
    import psycopg
    from sqlalchemy import select

    from lms.models import User

    user = make_user()
    db.session.commit()
    statement = select(User).where(User.id == user.id)
    db.session.execute(statement).scalar_one()  # compiled, and its result's layout kept
    made = []
    original = psycopg.Column.__init__
    monkeypatch.setattr(psycopg.Column, "__init__", lambda column, *args: made.append(1) or original(column, *args))
    assert db.session.execute(statement).scalar_one().email == user.email
    assert made == []


@pytest.mark.postgres
def test_a_description_made_on_demand_is_psycopgs_own(app, db):
    if not is_postgres(app):
        pytest.skip("psycopg's cursors; set LMS_TEST_DATABASE_URL")
    import psycopg

    from lms.models.postgres import DescribedOnDemandCursor

    query = ("SELECT 1 AS n, 'text'::varchar(12) AS word, 2.50::numeric(6, 2) AS price, now() AS at, "
             "'{\"a\": 1}'::json AS doc, NULL::boolean AS flag")
    with db.engine.connect() as connection:
        dbapi_connection = connection.connection.dbapi_connection
        own = psycopg.Cursor(dbapi_connection)
        own.execute(query)
        ours = DescribedOnDemandCursor(dbapi_connection)
        ours.execute(query)
        described = ours.description
        ours.execute("SELECT 1 AS other")  # the cursor moves on; the description read before still describes its result
        assert len(described) == 6
        assert [tuple(column) for column in described] == [tuple(column) for column in own.description]
        assert described[1].name == "word" and described[1].display_size == 12 and described[2].scale == 2
        ours.execute("CREATE TEMPORARY TABLE described (n int)")
        own.execute("CREATE TEMPORARY TABLE described_too (n int)")
        assert ours.description is None and own.description is None
        ours.execute("SELECT n FROM described WHERE false")  # no rows, yet a result with columns
        assert [column.name for column in ours.description] == ["n"]
        connection.rollback()
    with db.engine.connect() as connection:
        assert isinstance(connection.connection.dbapi_connection.cursor(), DescribedOnDemandCursor)
