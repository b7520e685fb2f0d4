"""CSV for spreadsheet programs: safe cells and a streaming writer. Pure: no Flask, no I/O.

Spreadsheet injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (OWASP "CSV Injection"). ``safe_cell`` prefixes such text with an
apostrophe, which the spreadsheet shows as plain text. Numbers are written as they are (``-3`` stays a number).

``stream_csv`` yields the UTF-8 byte-order mark first (so spreadsheet programs read accents and Hangul as UTF-8), then
one line per row, quoted as the ``csv`` module does (commas, quotes and newlines inside cells are safe) with CRLF line
ends. It is a generator: memory does not grow with the number of rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str | int | float:
    """A value ready for a CSV cell: None is empty, numbers stay numbers, text that a spreadsheet would run as a
    formula gets an apostrophe in front."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_line(row: Sequence[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def stream_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The BOM and the header line, then each row as it comes."""
    yield BOM + csv_line(header)
    for row in rows:
        yield csv_line(row)
