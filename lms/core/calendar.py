"""iCalendar (RFC 5545) files of live sessions, built with the ``icalendar`` library. Pure: no Flask, no database.

Events are written in UTC (``DTSTART:20230703T070000Z``): every calendar program reads them the same way and shows
them in the person's own zone, with no VTIMEZONE rules to get wrong. The zone the session was set in is named in the
description. TEXT values (the calendar's name, SUMMARY, DESCRIPTION, LOCATION) are escaped as RFC 5545 §3.3.11
says (backslash, semicolon, comma, line breaks); tests read them back with an independent parser (vobject). UIDs are
stable per session, and SEQUENCE grows when a session is moved, so a re-imported or subscribed calendar updates the
event instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vText

PRODID = "-//LMS-lite//Live sessions//EN"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    title: str
    starts_at: datetime  # aware
    ends_at: datetime
    description: str = ""
    url: str = ""  # the joining link, only when the person may see it
    location: str = ""
    sequence: int = 0
    updated_at: datetime | None = None
    cancelled: bool = False


def build_calendar(events: Iterable[CalendarEvent], *, name: str, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # An X- property is not known to be TEXT, so icalendar would write it as it is: a ";", "," or line break in a
    # cohort's name would then end the value or the line. vText escapes it (RFC 5545 §3.3.11) like SUMMARY.
    calendar.add("x-wr-calname", vText(name))
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", item.starts_at.astimezone(UTC))
        event.add("dtend", item.ends_at.astimezone(UTC))
        event.add("summary", item.title)
        event.add("sequence", item.sequence)
        if item.updated_at is not None:
            event.add("last-modified", item.updated_at.astimezone(UTC))
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.location:
            event.add("location", item.location)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
