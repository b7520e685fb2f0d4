"""Pooled database connections: no extra round trip per request, and a connection the server ended is replaced, not
a 500 (lms/models/postgres.py)."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager

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


@contextmanager
def wire_trace(db, tmp_path):
    """What the driver and PostgreSQL say to each other on the pool's one connection, traced by libpq: the lines
    as a list once the block ends. The pool is emptied first, so the requests inside take that connection in turn."""
    import psycopg

    db.session.remove()
    db.engine.dispose()
    trace_file = (tmp_path / "wire.trace").open("w")

    def trace(dbapi_connection, _record) -> None:
        dbapi_connection.pgconn.trace(trace_file.fileno())
        dbapi_connection.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

    lines: list[str] = []
    event.listen(db.engine, "connect", trace)
    try:
        yield lines
    finally:
        event.remove(db.engine, "connect", trace)
        db.session.remove()
        db.engine.dispose()
        trace_file.close()
    lines.extend((tmp_path / "wire.trace").read_text().splitlines())


def transaction_commands(lines: list[str]) -> list[str]:
    return [line.split("Query", 1)[1].strip() for line in lines
            if "\tQuery\t" in line and line.split("Query", 1)[1].strip().strip('"').split()[0].upper()
            in ("BEGIN", "COMMIT", "ROLLBACK")]


@pytest.mark.postgres
def test_pages_that_only_read_run_no_transaction(app, db, client, login_as, tmp_path):
    """BEGIN and COMMIT (or ROLLBACK) cost two round trips a page: reads run outside a transaction (PostgreSQL's
    READ COMMITTED gives each statement the same view either way; lms/models/postgres.py)."""
    if not is_postgres(app):
        pytest.skip("the driver's autocommit is PostgreSQL's; set LMS_TEST_DATABASE_URL")
    login_as("learner")
    with wire_trace(db, tmp_path) as lines:
        for _ in range(3):
            assert client.get("/").status_code == 200
            assert client.get("/learning").status_code == 200
    assert any("logins" in line for line in lines)  # the trace saw the pages' statements
    assert transaction_commands(lines) == []
    assert not [line for line in lines if "ReadyForQuery" in line and line.rstrip().endswith(("T", "E"))]


@pytest.mark.postgres
def test_a_page_that_writes_does_it_in_one_transaction(app, db, client, login_as, tmp_path):
    """A log-in reads the account outside a transaction, then begins one for its writes and commits them together."""
    if not is_postgres(app):
        pytest.skip("the driver's autocommit is PostgreSQL's; set LMS_TEST_DATABASE_URL")
    from tests.factories import DEFAULT_PASSWORD, make_user

    email = make_user(role="learner").email
    db.session.commit()
    with wire_trace(db, tmp_path) as lines:
        response = client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
    sent = [line for line in lines if line.startswith("F") and ("\tParse\t" in line or "\tQuery\t" in line)]
    steps = "".join("B" if '"BEGIN' in line else "C" if '"COMMIT"' in line
                    else "W" if re.search(r'"(INSERT|UPDATE|DELETE)\b', line) else "" for line in sent)
    assert re.fullmatch(r"(BW+C)+", steps), steps  # every write inside a transaction that was committed


@pytest.mark.postgres
@pytest.mark.parametrize("change", [
    "UPDATE users SET display_name = 'Changed' WHERE id = :id",
    "WITH changed AS (UPDATE users SET display_name = 'Changed' WHERE id = :id RETURNING id) SELECT id FROM changed",
])
def test_a_transaction_that_wrote_is_rolled_back_whole(app, db, make_user, change):
    if not is_postgres(app):
        pytest.skip("the driver's autocommit is PostgreSQL's; set LMS_TEST_DATABASE_URL")
    user = make_user(display_name="Original")
    other = make_user(display_name="Other")
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        connection.execute(text(change), {"id": user.id})
        connection.execute(text("UPDATE users SET display_name = 'Changed too' WHERE id = :id"), {"id": other.id})
        connection.rollback()
        names = connection.execute(text("SELECT display_name FROM users WHERE id IN (:a, :b) ORDER BY id"),
                                   {"a": user.id, "b": other.id}).scalars().all()
    assert names == ["Original", "Other"]


@pytest.mark.postgres
def test_the_orm_session_writes_nothing_of_a_transaction_it_rolls_back(app, db):
    if not is_postgres(app):
        pytest.skip("the driver's autocommit is PostgreSQL's; set LMS_TEST_DATABASE_URL")
    from sqlalchemy import func, select

    from lms.models import User

    before = db.session.scalar(select(func.count()).select_from(User))
    db.session.add(User(email="first@example.org", display_name="First", password_hash="x", role="learner"))
    db.session.flush()
    db.session.add(User(email="second@example.org", display_name="Second", password_hash="x", role="learner"))
    db.session.flush()  # both INSERTs sent, in two flushes
    db.session.rollback()
    with db.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(User)) == before


@pytest.mark.postgres
@pytest.mark.parametrize("lock, blocked", [
    ("SELECT id FROM users WHERE id = :id FOR UPDATE", "SELECT id FROM users WHERE id = :id FOR UPDATE NOWAIT"),
    ("SELECT id FROM users WHERE id = :id FOR NO KEY UPDATE", "SELECT id FROM users WHERE id = :id FOR UPDATE NOWAIT"),
    ("SELECT id FROM users WHERE id = :id FOR SHARE", "SELECT id FROM users WHERE id = :id FOR UPDATE NOWAIT"),
    ("SELECT id FROM users WHERE id = :id FOR KEY SHARE", "SELECT id FROM users WHERE id = :id FOR UPDATE NOWAIT"),
])
def test_a_select_that_locks_rows_holds_them_until_its_transaction_ends(app, db, make_user, lock, blocked):
    """The cohort's seats and the outbox's claims lock rows with SELECT ... FOR UPDATE: outside a transaction the lock
    would end with the statement."""
    if not is_postgres(app):
        pytest.skip("row locks are PostgreSQL's; set LMS_TEST_DATABASE_URL")
    import psycopg

    user = make_user()
    db.session.commit()
    with db.engine.connect() as holder, db.engine.connect() as other:
        holder.execute(text(lock), {"id": user.id})
        with pytest.raises(Exception) as refused:
            other.execute(text(blocked), {"id": user.id})
        assert isinstance(refused.value.orig, psycopg.errors.LockNotAvailable)
        other.rollback()
        holder.commit()
        assert other.execute(text(blocked), {"id": user.id}).scalar_one() == user.id  # released at the commit
        skipped = other.execute(text("SELECT id FROM users WHERE id = :id FOR UPDATE SKIP LOCKED"), {"id": user.id})
        assert skipped.all()  # still held by ``other``, which may read it again
        assert holder.execute(text("SELECT id FROM users WHERE id = :id FOR UPDATE SKIP LOCKED"),
                              {"id": user.id}).all() == []  # the worker's claim: a row another holds is skipped


@pytest.mark.postgres
def test_an_advisory_transaction_lock_is_held_until_the_transaction_ends(app, db):
    """Each person's package imports are serialised with pg_try_advisory_xact_lock (lms.services.publishing)."""
    if not is_postgres(app):
        pytest.skip("advisory locks are PostgreSQL's; set LMS_TEST_DATABASE_URL")
    take = text("SELECT pg_try_advisory_xact_lock(7431, 1)")
    with db.engine.connect() as holder, db.engine.connect() as other:
        assert holder.execute(take).scalar() is True
        assert other.execute(take).scalar() is False
        holder.rollback()
        assert other.execute(take).scalar() is True
        other.commit()


@pytest.mark.postgres
def test_results_streamed_through_a_server_side_cursor_are_read(app, db, make_user):
    """The audit log's CSV reads its rows a thousand at a time (yield_per): a server-side cursor needs a transaction."""
    if not is_postgres(app):
        pytest.skip("server-side cursors are PostgreSQL's; set LMS_TEST_DATABASE_URL")
    from sqlalchemy import select

    from lms.models import User

    made = {make_user().id for _ in range(3)}
    db.session.commit()
    read = {user.id for user in db.session.execute(select(User).execution_options(yield_per=2)).scalars()}
    db.session.rollback()
    assert made <= read


@pytest.mark.postgres
def test_a_connection_asked_for_autocommit_runs_what_cannot_run_in_a_transaction(app, db):
    if not is_postgres(app):
        pytest.skip("VACUUM is PostgreSQL's; set LMS_TEST_DATABASE_URL")
    import psycopg

    db.session.remove()
    db.engine.dispose()  # one pooled connection, taken out in turn below
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM users"))
    with db.engine.connect() as connection:  # back in the pool's own mode: reads outside, writes in, a transaction
        connection.execute(text("SELECT 1"))
        status = connection.connection.dbapi_connection.info.transaction_status
        assert status == psycopg.pq.TransactionStatus.IDLE
        connection.execute(text("SET application_name = 'changed in a transaction'"))
        connection.rollback()
        assert connection.execute(text("SHOW application_name")).scalar_one() != "changed in a transaction"


@pytest.mark.postgres
def test_a_connection_asked_for_an_isolation_level_reads_in_transactions_of_that_level(app, db):
    if not is_postgres(app):
        pytest.skip("isolation levels are PostgreSQL's; set LMS_TEST_DATABASE_URL")
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        assert connection.execute(text("SHOW transaction_isolation")).scalar_one() == "repeatable read"
        assert connection.execute(text("SELECT now() = statement_timestamp()")).scalar_one() is False  # one transaction


@pytest.mark.postgres
def test_a_transaction_begun_for_a_write_is_read_committed_whatever_the_servers_default(app, db):
    if not is_postgres(app):
        pytest.skip("isolation levels are PostgreSQL's; set LMS_TEST_DATABASE_URL")
    with db.engine.connect() as connection:
        connection.execute(text("SET default_transaction_isolation = 'serializable'"))  # for the whole session
        connection.commit()
        try:
            connection.execute(text("UPDATE users SET display_name = display_name WHERE false"))
            assert connection.execute(text("SHOW transaction_isolation")).scalar_one() == "read committed"
            connection.rollback()
        finally:
            connection.execute(text("RESET default_transaction_isolation"))
            connection.commit()


@pytest.mark.postgres
def test_a_connection_asked_to_be_read_only_refuses_writes(app, db, make_user):
    if not is_postgres(app):
        pytest.skip("read-only transactions are PostgreSQL's; set LMS_TEST_DATABASE_URL")
    import psycopg

    user = make_user(display_name="Original")
    db.session.commit()
    with db.engine.connect().execution_options(postgresql_readonly=True) as connection:
        assert connection.execute(text("SELECT display_name FROM users WHERE id = :id"),
                                  {"id": user.id}).scalar_one() == "Original"
        with pytest.raises(Exception) as refused:
            connection.execute(text("UPDATE users SET display_name = 'Changed' WHERE id = :id"), {"id": user.id})
        assert isinstance(refused.value.orig, psycopg.errors.ReadOnlySqlTransaction)
        connection.rollback()
    with db.engine.connect() as connection:  # and the pool's connection writes again once back
        connection.execute(text("UPDATE users SET display_name = 'Changed' WHERE id = :id"), {"id": user.id})
        connection.commit()


@pytest.mark.parametrize("statement, needs", [
    ("SELECT users.id FROM users WHERE users.id = %(id)s", False),
    ("select 1", False),
    ("SHOW transaction isolation level", False),
    ("SELECT users.id FROM users WHERE users.email = %(email)s\n FOR UPDATE", True),
    ("SELECT outbox.id FROM outbox FOR UPDATE SKIP LOCKED", True),
    ("SELECT cohorts.id FROM cohorts FOR NO KEY UPDATE", True),
    ("SELECT cohorts.id FROM cohorts FOR SHARE", True),
    ("SELECT cohorts.id FROM cohorts FOR KEY SHARE", True),
    ("SELECT pg_try_advisory_xact_lock(%(a)s, %(b)s)", True),
    ("SELECT set_config('lms.x', 'y', true)", True),
    ("SELECT * INTO copied FROM users", True),
    ("INSERT INTO users (email) VALUES (%(email)s)", True),
    ("UPDATE users SET name = %(name)s", True),
    ("DELETE FROM users", True),
    ("WITH gone AS (DELETE FROM users RETURNING id) SELECT id FROM gone", True),
    ("SAVEPOINT sa_savepoint_1", True),
    ("SET LOCAL enable_seqscan = off", True),
    ("CREATE TABLE t (n int)", True),
    ("EXPLAIN ANALYZE UPDATE users SET name = 'x'", True),
    ("", True),
])
def test_which_statements_begin_a_transaction(statement, needs):
    from lms.models.postgres import needs_transaction

    assert needs_transaction(statement) is needs


@pytest.mark.postgres
def test_a_transaction_whose_statement_failed_rolls_back_and_the_connection_serves_again(app, db):
    if not is_postgres(app):
        pytest.skip("the driver's autocommit is PostgreSQL's; set LMS_TEST_DATABASE_URL")
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

    from lms.models.postgres import AppCursor

    query = ("SELECT 1 AS n, 'text'::varchar(12) AS word, 2.50::numeric(6, 2) AS price, now() AS at, "
             "'{\"a\": 1}'::json AS doc, NULL::boolean AS flag")
    with db.engine.connect() as connection:
        dbapi_connection = connection.connection.dbapi_connection
        own = psycopg.Cursor(dbapi_connection)
        own.execute("BEGIN")  # the temporary tables below go with the rollback at the end
        own.execute(query)
        ours = AppCursor(dbapi_connection)
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
        assert isinstance(connection.connection.dbapi_connection.cursor(), AppCursor)
