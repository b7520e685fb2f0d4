"""Reading the participants report that Zoom exports (CSV): who attended a live session, by e-mail address, and
for how many minutes. Pure: no Flask, no database; the bytes are passed in.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dateutil import parser as dateutil_parser

from lms.core.emails import normalise_email
from lms.core.i18n import N_, Phrase

EMAIL_HEADERS = ("user email", "email", "e-mail", "participant email", "attendee email", "email address")
NAME_HEADERS = ("name (original name)", "name", "participant", "user name", "participant name", "display name")
DURATION_HEADERS = ("duration (minutes)", "total duration (minutes)", "duration (mins)", "duration",
                    "time in session (minutes)")
JOIN_HEADERS = ("join time", "join time (utc)", "joined at")
LEAVE_HEADERS = ("leave time", "leave time (utc)", "left at")
_SUMMARY_MARKERS = ("meeting id", "topic", "webinar id")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Participant:
    email: str  # as lms.core.emails.normalise_email writes it
    name: str
    minutes: int  # the time the person was there: overlapping joins (two devices at once) count once
    lines: tuple[int, ...]


@dataclass(frozen=True)
class SkippedRow:
    line: int
    name: str
    email: str
    reason: str  # marked with N_: worded for the reader by the service


@dataclass(frozen=True)
class ParticipantsReport:
    participants: tuple[Participant, ...]
    skipped: tuple[SkippedRow, ...] = ()  # rows kept for the person importing: no e-mail, invalid e-mail…
    problems: tuple[str, ...] = field(default_factory=tuple)  # the file as a whole (no header found…)


class ReportUnreadable(ValueError):
    """Why the file cannot be read, as a Phrase (``phrase``) to word in the reader's language."""

    def __init__(self, phrase: Phrase) -> None:
        super().__init__(str(phrase))
        self.phrase = phrase


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _normalise_header(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").strip().strip('"').lower().split())


def _find(headers: list[str], names: Iterable[str]) -> int | None:
    for name in names:
        if name in headers:
            return headers.index(name)
    return None


def _cell(row: list[str], column: int | None) -> str:
    return row[column].strip() if column is not None and column < len(row) else ""


def _minutes(value: str) -> int:
    try:
        return max(round(float(value.strip().replace(",", "."))), 0)
    except ValueError:
        return 0


def _moment(value: str) -> datetime | None:
    """A join or leave time as Zoom writes it ("07/03/2023 09:01:23 AM", "2023-07-03 09:01:23"), or None. All
    the times of one report are in one zone, so they are compared as they are written."""
    if not value:
        return None
    try:
        moment = dateutil_parser.parse(value)
    except (ValueError, OverflowError):
        return None
    return moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def minutes_present(intervals: Iterable[tuple[datetime, datetime]]) -> int:
    """The minutes covered by the union of (join, leave) intervals: a person on a laptop and a phone at once is
    there once, so joining twice cannot double the time towards a minimum. Each stretch of presence is rounded up to
    the minute, as Zoom rounds the duration of a row."""
    total = 0
    current_start = current_end = None
    for start, end in sorted((start, end) for start, end in intervals if end > start):
        if current_end is not None and start <= current_end:
            current_end = max(current_end, end)
            continue
        if current_end is not None:
            total += math.ceil((current_end - current_start).total_seconds() / 60)
        current_start, current_end = start, end
    if current_end is not None:
        total += math.ceil((current_end - current_start).total_seconds() / 60)
    return total


def parse_participants_report(data: bytes) -> ParticipantsReport:
    """Read the participants CSV that Zoom exports (meeting or webinar report, with or without the meeting summary
    above it). Tolerates a byte-order mark, extra or reordered columns, header variants ("User Email", "Email"),
    comma, semicolon or tab separators and people who joined several times. Rows that cannot be used are returned in
    ``skipped`` with the reason, never dropped."""
    text = _decode(data)
    if not text.strip():
        raise ReportUnreadable(Phrase(N_("The file is empty.")))
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    header_index = email_col = None
    for index, row in enumerate(rows):
        headers = [_normalise_header(cell) for cell in row]
        if any(marker in headers for marker in _SUMMARY_MARKERS):
            continue
        email_col = _find(headers, EMAIL_HEADERS)
        if email_col is not None:
            header_index = index
            break
    if header_index is None or email_col is None:
        raise ReportUnreadable(Phrase(N_("No column of e-mail addresses was found. Export the participants report "
                                         "from Zoom with the e-mail column (it is called \"User Email\" or "
                                         "\"Email\").")))
    headers = [_normalise_header(cell) for cell in rows[header_index]]
    name_col = _find(headers, NAME_HEADERS)
    duration_col = _find(headers, DURATION_HEADERS)
    join_col, leave_col = _find(headers, JOIN_HEADERS), _find(headers, LEAVE_HEADERS)

    people: dict[str, dict] = {}
    skipped: list[SkippedRow] = []
    for offset, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        if not any(cell.strip() for cell in row):
            continue
        email, name = normalise_email(_cell(row, email_col)), _cell(row, name_col)
        if not email:
            skipped.append(SkippedRow(offset, name, "",
                                      N_("no e-mail address (a guest who joined without signing in)")))
            continue
        if not _EMAIL.match(email):
            skipped.append(SkippedRow(offset, name, email, N_("not an e-mail address")))
            continue
        person = people.setdefault(email, {"name": name, "minutes": 0, "intervals": [], "lines": []})
        joined, left = _moment(_cell(row, join_col)), _moment(_cell(row, leave_col))
        if joined is not None and left is not None:
            person["intervals"].append((joined, left))
        else:  # no times on this row: its duration, which cannot be checked for overlap
            person["minutes"] += _minutes(_cell(row, duration_col)) if duration_col is not None else 0
        person["lines"].append(offset)
        if not person["name"]:
            person["name"] = name
    participants = tuple(Participant(email, p["name"], p["minutes"] + minutes_present(p["intervals"]),
                                     tuple(p["lines"])) for email, p in people.items())
    has_times = join_col is not None and leave_col is not None
    problems = () if duration_col is not None or has_times else (
        "The report has no duration column; durations are unknown.",)
    return ParticipantsReport(participants, tuple(skipped), problems)
