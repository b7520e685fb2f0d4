"""SQLite needs to be told to enforce foreign keys and to wait for a lock instead of failing at once."""

from __future__ import annotations

from sqlalchemy import Engine, event


def _on_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def enable_sqlite_foreign_keys(engine: Engine) -> None:
    if not event.contains(engine, "connect", _on_connect):
        event.listen(engine, "connect", _on_connect)
