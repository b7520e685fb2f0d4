"""INSERT … ON CONFLICT DO NOTHING for the two databases we run on, so idempotent writes need no check-then-insert."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_conflicts(session: Session, model: type, values: dict[str, Any],
                              conflict_columns: list[str]) -> bool:
    """Insert a row unless one with the same conflict columns exists. True when this call inserted it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    primary_key = list(model.__table__.primary_key.columns)
    statement = (insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict_columns)
                 .returning(*primary_key))
    # RETURNING, not rowcount: with psycopg 3 the driver reports rowcount -1 for this statement on PostgreSQL.
    return session.execute(statement).first() is not None
