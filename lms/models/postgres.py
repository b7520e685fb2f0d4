"""PostgreSQL connections the server has closed are replaced when taken from the pool, without asking the server.

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

import select

from sqlalchemy import Engine, event
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
