"""iCalendar files: they parse with the icalendar library and, read by hand as RFC 5545 text, hold the right UTC
instants."""

import re
from datetime import UTC, datetime

from icalendar import Calendar

from lms.core.calendar import CalendarEvent, build_calendar
from lms.core.schedule import local_to_utc

START = local_to_utc(datetime(2023, 7, 3, 9, 0), "Europe/Madrid")
END = local_to_utc(datetime(2023, 7, 3, 11, 0), "Europe/Madrid")


def unfold(data: bytes) -> list[str]:
    """RFC 5545 §3.1: lines end in CRLF; a line starting with a space or tab continues the previous one."""
    text = data.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")


def make(**changes) -> bytes:
    event = CalendarEvent(uid="live-session-1@lms.test", title="Orientation", starts_at=START, ends_at=END,
                          description="Meet the organisers.\nBring questions.", url="https://zoom.us/j/1",
                          sequence=2, **changes)
    return build_calendar([event], name="Caring Cities 2023", now=datetime(2023, 6, 1, tzinfo=UTC))


def test_orientation_at_09_00_cest_is_07_00_utc():
    lines = unfold(make())
    assert "DTSTART:20230703T070000Z" in lines
    assert "DTEND:20230703T090000Z" in lines


def test_the_file_has_what_rfc_5545_requires():
    lines = unfold(make())
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines
    for required in ("VERSION:2.0", "PRODID:-//LMS-lite//Live sessions//EN", "UID:live-session-1@lms.test",
                     "DTSTAMP:20230601T000000Z", "SEQUENCE:2"):
        assert required in lines
    assert all(len(line.encode()) <= 75 for line in make().decode().split("\r\n"))


def test_the_icalendar_parser_reads_the_same_instants():
    calendar = Calendar.from_ical(make())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert event.decoded("dtstart") == datetime(2023, 7, 3, 7, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2023, 7, 3, 9, 0, tzinfo=UTC)
    assert str(event["summary"]) == "Orientation"
    assert str(event["description"]) == "Meet the organisers.\nBring questions."
    assert str(event["url"]) == "https://zoom.us/j/1"


def test_winter_sessions_are_08_00_utc():
    winter = local_to_utc(datetime(2023, 12, 4, 9, 0), "Europe/Madrid")
    data = build_calendar([CalendarEvent(uid="x", title="t", starts_at=winter,
                                         ends_at=local_to_utc(datetime(2023, 12, 4, 11, 0), "Europe/Madrid"))],
                          name="n", now=winter)
    assert "DTSTART:20231204T080000Z" in unfold(data)


AWKWARD_TEXT = "Cohort A; room 2, floor 3 \\ annex\nSecond line"


def test_text_values_are_escaped_and_read_back_by_an_independent_parser():
    """RFC 5545 §3.3.11: backslash, semicolon, comma and line breaks in TEXT are escaped; vobject (not the library
    that wrote the file) reads every value back as it was typed."""
    import vobject

    event = CalendarEvent(uid="live-session-1@lms.test", title=AWKWARD_TEXT, starts_at=START, ends_at=END,
                          description=AWKWARD_TEXT, location=AWKWARD_TEXT)
    data = build_calendar([event], name=AWKWARD_TEXT, now=datetime(2023, 6, 1, tzinfo=UTC))
    lines = unfold(data)
    assert "X-WR-CALNAME:Cohort A\\; room 2\\, floor 3 \\\\ annex\\nSecond line" in lines
    parsed = vobject.readOne(data.decode("utf-8"))
    assert parsed.x_wr_calname.value == AWKWARD_TEXT
    assert parsed.vevent.summary.value == AWKWARD_TEXT
    assert parsed.vevent.description.value == AWKWARD_TEXT
    assert parsed.vevent.location.value == AWKWARD_TEXT
