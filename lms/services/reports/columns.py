"""A report table's columns, defined once: the CSV header and row, the JSON object and the page's headings and cells
all come from the same list (Redash's one column list for every format).

``key`` names the column in CSV and JSON; ``label`` heads it on the page; ``value`` reads it from a row, as CSV and
JSON hold it; ``cell`` says how the page shows the value (the reports' ``cell`` macro: "text", "number", "percent",
"date" and a few for one table) and ``sort`` the sort key of a header that sorts the table. A column with
``on_page=False`` is only in the downloads (the page shows it inside another cell, or leaves it out for width).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

Row = TypeVar("Row")


@dataclass(frozen=True)
class Column(Generic[Row]):
    key: str
    label: str
    value: Callable[[Row], Any]
    cell: str = "text"
    sort: str | None = None
    on_page: bool = True


def header(columns: Sequence[Column]) -> list[str]:
    return [column.key for column in columns]


def values(columns: Sequence[Column[Row]], row: Row) -> list[Any]:
    return [column.value(row) for column in columns]


def plain(value: Any) -> Any:
    """A value as JSON holds it: dates and times in ISO 8601."""
    return value.isoformat() if isinstance(value, datetime | date) else value


def as_dicts(columns: Sequence[Column[Row]], rows: Iterable[Row]) -> list[dict[str, Any]]:
    return [{column.key: plain(column.value(row)) for column in columns} for row in rows]
