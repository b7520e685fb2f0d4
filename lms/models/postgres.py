"""Pooled PostgreSQL connections: a connection the server has closed is replaced when taken from the pool, without
asking the server; a transaction that only read ends with COMMIT, so the statements psycopg prepared are kept; a
result's column descriptions are made only when asked for.

SQLAlchemy's ``pool_pre_ping`` sends a ``SELECT 1`` each time a connection leaves the pool: one more round trip, and
one more statement for the database to run, on every request. A connection whose server end has gone (its backend
was terminated, the server restarted or crashed) has by then something to read on its socket, the server's
"terminating connection" message or the end of the stream, while a healthy idle connection has nothing: so at
checkout the operating system is asked, without any traffic, whether the idle connection's socket is readable. Such a
connection, or one psycopg already knows is closed, is thrown away and the pool opens a fresh one (raising
DisconnectionError in the checkout event is SQLAlchemy's way to say so; it tries again). Connections are also
recycled after a while (config.py's pool_recycle), for the network devices that drop idle connections silently.
"""

from __future__ import annotations

import contextlib
import select
from collections.abc import Sequence
from types import SimpleNamespace

import psycopg
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DisconnectionError


def server_closed(dbapi_connection) -> bool:
    """Whether the server has ended this idle connection (psycopg 3), told by the socket alone."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    # An idle connection gets no message it did not ask for (the site never LISTENs): whatever is there is the end.
    return bool(poller.poll(0))


def _on_checkout(dbapi_connection, _record, _proxy) -> None:
    if server_closed(dbapi_connection):
        raise DisconnectionError("the database server closed this pooled connection")


def replace_closed_connections_at_checkout(engine: Engine) -> None:
    if not event.contains(engine, "checkout", _on_checkout):
        event.listen(engine, "checkout", _on_checkout)


# psycopg prepares a statement on the server once a connection has run it five times, and then skips PostgreSQL's
# parse and plan on every later run: 35-75 microseconds of the server's CPU for a page's query instead of 80-470
# (measured on the lesson page's four statements). But it forgets them all on ROLLBACK (a rolled-back transaction may
# have dropped or altered what they refer to), and every request that only read ends with one: the session's close
# rolls back. So nothing was ever prepared, and each view's statements were planned afresh. A transaction that ran
# only SELECTs changed nothing, and COMMIT ends it exactly as ROLLBACK would; such a transaction is committed when
# SQLAlchemy is about to roll it back, and the rollback that follows finds the connection idle and does nothing. A
# statement that is not a SELECT (a write, DDL, SET, SAVEPOINT, a data-modifying WITH) marks the transaction, which
# then rolls back for real. The mark is kept with the DBAPI connection (Connection.info), as the transaction is.
_WROTE = "lms.transaction_wrote"


def _mark_writes(conn: Connection, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    if not statement.startswith("SELECT"):
        conn.info[_WROTE] = True


def _forget_writes(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)


def _commit_if_it_only_read(conn: Connection) -> None:
    wrote = conn.info.pop(_WROTE, False)
    if wrote or conn.invalidated:
        return
    dbapi_connection = conn.connection.dbapi_connection
    # INERROR (a statement failed) is left to the rollback; IDLE has nothing to end.
    if dbapi_connection.info.transaction_status != psycopg.pq.TransactionStatus.INTRANS:
        return
    # If the COMMIT fails, the transaction is over all the same; the rollback that follows deals with the connection.
    with contextlib.suppress(psycopg.Error):
        dbapi_connection.commit()


def keep_prepared_statements(engine: Engine) -> None:
    if event.contains(engine, "rollback", _commit_if_it_only_read):
        return
    event.listen(engine, "begin", _forget_writes)
    event.listen(engine, "commit", _forget_writes)
    event.listen(engine, "before_cursor_execute", _mark_writes)
    event.listen(engine, "rollback", _commit_if_it_only_read)


# SQLAlchemy asks the cursor for its description after every statement, but reads it only the first time it runs a
# statement (it keeps the result's layout with the compiled statement) and otherwise only asks whether it is None.
# psycopg makes a Column object for every column each time it is asked: 0.65 microseconds a column, 70 for the
# lesson page's 110 columns. These cursors give the same description, its Columns made when first read.
class _Description(Sequence):
    __slots__ = ("_columns", "_count", "_source")

    def __init__(self, cursor: psycopg.Cursor, result) -> None:
        # What psycopg's Column reads of its cursor, as it is now: the cursor moves on to its next result.
        self._source = SimpleNamespace(pgresult=result, _encoding=cursor._encoding, adapters=cursor.adapters)
        self._count = result.nfields
        self._columns: list[psycopg.Column] | None = None

    def _made(self) -> list[psycopg.Column]:
        if self._columns is None:
            self._columns = [psycopg.Column(self._source, index) for index in range(self._count)]  # type: ignore[arg-type]
        return self._columns

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._made()[index]

    def __eq__(self, other: object) -> bool:
        return list(self) == other

    def __repr__(self) -> str:
        return repr(self._made())


_DESCRIBED = (psycopg.pq.ExecStatus.TUPLES_OK, psycopg.pq.ExecStatus.SINGLE_TUPLE, psycopg.pq.ExecStatus.TUPLES_CHUNK)


class DescribedOnDemandCursor(psycopg.Cursor):
    @property
    def description(self) -> Sequence[psycopg.Column] | None:
        result = self.pgresult
        # When psycopg's own gives a list (a result with columns, or one that said it returns rows) and when None.
        if result and (result.nfields or result.status in _DESCRIBED):
            return _Description(self, result)
        return None


def _describe_on_demand(dbapi_connection, _record) -> None:
    dbapi_connection.cursor_factory = DescribedOnDemandCursor


def describe_results_on_demand(engine: Engine) -> None:
    if not event.contains(engine, "connect", _describe_on_demand):
        event.listen(engine, "connect", _describe_on_demand)
