"""Declarative base with a naming convention, so constraint names are stable across SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import BindParameter, DateTime, MetaData, TypeDecorator, bindparam, literal
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.visitors import replacement_traverse

from lms.core import clock

S = TypeVar("S")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


utcnow = clock.now  # the column default reads the one clock


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC that always comes back time-zone aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def render_migration_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Autogenerate writes our UTCDateTime as a plain timezone-aware DateTime, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def written_into_sql(value: Any, type_: Any = None) -> BindParameter[Any]:
    """A constant of a statement, written into its SQL instead of bound as a parameter.

    SQLite prepares a statement again on every execution when a bound value might change its plan: when it is compared
    with a column that a partial index's condition names (``discussion_threads.kind``: the reflection threads' unique
    indexes), selected as a constant in the branches of a UNION, or compared with some indexed columns. The
    learner-progress query of every course page (lms.services.learning) spent 250 of its 270 microseconds preparing
    itself again. Written into the SQL, the constant is part of the statement the driver keeps prepared."""
    return literal(value, type_, literal_execute=True)


_WRITABLE = (str, int, float)  # bool is an int; values of other types (dates, JSON) may have no SQL literal


def constants_in_sql(statement: S) -> S:
    """A statement built once per process, with all its own constants written into its SQL (written_into_sql); the
    values each execution brings (``bindparam("user_id")``) stay parameters."""

    def written(element: Any) -> Any:
        if not isinstance(element, BindParameter) or element.required or element.literal_execute or element.callable:
            return None
        if element.expanding:  # IN (a list of the statement's own values)
            if all(isinstance(item, _WRITABLE) for item in element.value):
                return bindparam(None, element.value, element.type, expanding=True, literal_execute=True)
            return None
        return written_into_sql(element.value, element.type) if isinstance(element.value, _WRITABLE) else None

    return replacement_traverse(statement, {}, written)
