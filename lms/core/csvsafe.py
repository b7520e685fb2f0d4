"""CSV for spreadsheet programs: safe cells and a streaming writer. Pure: no Flask, no I/O.

Spreadsheet injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (OWASP "CSV Injection"); so is one starting with their full-width
forms (U+FF1D, U+FF0B, U+FF0D, U+FF20: spreadsheets in East Asian locales fold them to the ASCII ones).
``safe_cell`` drops NUL characters (a leading NUL hides a formula from a naive check, and no text means one) and
prefixes such text with an apostrophe, which the spreadsheet shows as plain text. Numbers are written as they are
(``-3`` stays a number).

Every text cell is quoted, not only those with a comma: a spreadsheet set to a locale whose list separator is ``;``
(German, French, Spanish…) would otherwise split a cell like ``Lyon; France`` in two.

``stream_csv`` yields the UTF-8 byte-order mark first (so spreadsheet programs read accents and Hangul as UTF-8), then
one line per row with CRLF line ends. It is a generator: memory does not grow with the number of rows. ``csv_text``
is the same as one string, for small files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


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
    text = str(value).replace("\0", "")
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_line(row: Sequence[object]) -> str:
    buffer = io.StringIO()
    # QUOTE_NONNUMERIC: every string in quotes, numbers bare (so they stay numbers).
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def stream_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The BOM and the header line, then each row as it comes."""
    yield BOM + csv_line(header)
    for row in rows:
        yield csv_line(row)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The whole file as one string: the BOM, the header and the rows."""
    return "".join(stream_csv(header, rows))
