"""The app's PostgreSQL connections (psycopg 3), set up when the pool opens them and each time one leaves it:

- a connection the server has closed is replaced when taken from the pool, without asking the server;
- statements that only read run outside a transaction, so they pay no BEGIN and COMMIT, and the statements psycopg
  prepared are kept; the first statement that writes or locks begins one;
- a result's column descriptions are made only when asked for.

All of it lives in the driver's connection and cursors, and in the pool's events: a listener on the engine's own
statement events would make SQLAlchemy dispatch every connection event of every request (24 microseconds each
time, a tenth of what the log-in's query costs in Python).
"""

from __future__ import annotations

import functools
import re
import select
from collections.abc import Sequence
from types import SimpleNamespace

import psycopg
from psycopg import IsolationLevel
from psycopg.pq import ExecStatus, TransactionStatus
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

# SQLAlchemy's ``pool_pre_ping`` sends a ``SELECT 1`` each time a connection leaves the pool: one more round trip,
# and one more statement for the database to run, on every request. A connection whose server end has gone (its
# backend was terminated, the server restarted or crashed) has by then something to read on its socket, the server's
# "terminating connection" message or the end of the stream, while a healthy idle connection has nothing: so at
# checkout the operating system is asked, without any traffic, whether the idle connection's socket is readable. Such
# a connection, or one psycopg already knows is closed, is thrown away and the pool opens a fresh one (raising
# DisconnectionError in the checkout event is SQLAlchemy's way to say so; it tries again). Connections are also
# recycled after a while (config.py's pool_recycle), for the network devices that drop idle connections silently.


def server_closed(dbapi_connection) -> bool:
    """Whether the server has ended this idle connection, told by the socket alone."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    # An idle connection gets no message it did not ask for (the site never LISTENs): whatever is there is the end.
    return bool(poller.poll(0))


# A page that only reads needs no transaction: under READ COMMITTED, PostgreSQL's default and ours, every statement
# sees what was committed when it started, inside a transaction or not. Yet a driver that begins one for every page
# pays two round trips for it, BEGIN and the COMMIT or ROLLBACK at the end (about 60 microseconds of client and
# server CPU each, a fifth of the logged-in home page), and psycopg forgets every statement it prepared at a
# ROLLBACK, so each view's statements were parsed and planned afresh (80-470 microseconds of the server's CPU for the
# lesson's four statements, 35-75 once prepared). So the connections run in the driver's autocommit mode, and a
# transaction begins, as Django's connections do, just before the first statement that needs one: a write, DDL, SET,
# SAVEPOINT or a WITH that may modify; a SELECT that locks rows (FOR UPDATE, FOR SHARE; the worker's SKIP LOCKED),
# takes an advisory lock, sets a setting for the transaction or makes a table; or a statement read through a
# server-side cursor (stream_results, yield_per). From there on everything is as before: the session's commit or
# rollback ends it, and what it wrote is atomic.
#
# The connections in this mode are told apart by their isolation level, READ COMMITTED in autocommit. SQLAlchemy
# clears it when a connection is asked for AUTOCOMMIT (for a statement that cannot run in a transaction, such as
# VACUUM), which is then left alone, and when one is asked for another level, which psycopg then runs in transactions
# of that level; the level asked for lasts until the connection is back in the pool, and it returns to this mode when
# next taken out. A level configured for the whole engine (SQLALCHEMY_ENGINE_OPTIONS) is kept.
_READS_OUTSIDE_TRANSACTIONS = "lms.reads_outside_transactions"
_READS = frozenset(("SELECT", "SHOW"))
_LOCKS_OR_MAKES = re.compile(
    r"\bFOR\s+(?:UPDATE|NO\s+KEY\s+UPDATE|SHARE|KEY\s+SHARE)\b|advisory|set_config|\bINTO\b", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)  # a statement's text is one of the compiled statements SQLAlchemy keeps
def needs_transaction(statement: str) -> bool:
    words = statement.split(None, 1)
    return not words or words[0].upper() not in _READS or bool(_LOCKS_OR_MAKES.search(statement))


def _read_outside_transactions(dbapi_connection) -> None:
    dbapi_connection.autocommit = True
    dbapi_connection.isolation_level = IsolationLevel.READ_COMMITTED


def _begin_if_needed(dbapi_connection, statement, server_side: bool = False) -> None:
    if (dbapi_connection.autocommit and dbapi_connection.isolation_level is not None
            and dbapi_connection.pgconn.transaction_status == TransactionStatus.IDLE
            and (server_side or not isinstance(statement, str) or needs_transaction(statement))):
        # The level the connection stands for, whatever the server's default; and READ ONLY when a request asked
        # for it (SQLAlchemy's postgresql_readonly), as psycopg's own BEGIN would say.
        command = "BEGIN ISOLATION LEVEL READ COMMITTED"
        if dbapi_connection.read_only:
            command += " READ ONLY"
        with psycopg.Cursor(dbapi_connection) as cursor:  # psycopg's own: this class would ask again
            cursor.execute(command, prepare=False)


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


_DESCRIBED = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class AppCursor(psycopg.Cursor):
    """The cursor of the app's connections: it begins a transaction when its statement needs one, and describes its
    result on demand."""

    def execute(self, query, params=None, **kwargs):
        _begin_if_needed(self._conn, query)
        return super().execute(query, params, **kwargs)

    def executemany(self, query, params_seq, **kwargs) -> None:
        _begin_if_needed(self._conn, query)
        super().executemany(query, params_seq, **kwargs)

    @property
    def description(self) -> Sequence[psycopg.Column] | None:
        result = self.pgresult
        # When psycopg's own gives a list (a result with columns, or one that said it returns rows) and when None.
        if result and (result.nfields or result.status in _DESCRIBED):
            return _Description(self, result)
        return None


class AppServerCursor(psycopg.ServerCursor):
    """A server-side cursor lives in a transaction (DECLARE ... CURSOR without HOLD)."""

    def execute(self, query, params=None, **kwargs):
        _begin_if_needed(self._conn, query, server_side=True)
        return super().execute(query, params, **kwargs)


def _on_connect(dbapi_connection, record) -> None:
    dbapi_connection.cursor_factory = AppCursor
    dbapi_connection.server_cursor_factory = AppServerCursor
    if not dbapi_connection.autocommit and dbapi_connection.isolation_level is None:  # no level configured
        _read_outside_transactions(dbapi_connection)
        record.info[_READS_OUTSIDE_TRANSACTIONS] = True


def _on_checkout(dbapi_connection, record, _proxy) -> None:
    if server_closed(dbapi_connection):
        raise DisconnectionError("the database server closed this pooled connection")
    if not dbapi_connection.autocommit and record.info.get(_READS_OUTSIDE_TRANSACTIONS):
        _read_outside_transactions(dbapi_connection)  # after a request that asked for a level of its own


def configure_connections(engine: Engine) -> None:
    """Set up the engine's PostgreSQL connections as this module describes (pool events only)."""
    for name, listener in (("connect", _on_connect), ("checkout", _on_checkout)):
        if not event.contains(engine, name, listener):
            event.listen(engine, name, listener)
