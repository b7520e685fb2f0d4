"""Time rules of cohorts: application deadlines, cohort windows, local times and time-zone display. Pure: no Flask,
no database, no clock (``now`` is always passed in). Zoom's participants report is read by lms.core.zoom_report.

Times are stored as aware UTC instants plus the IANA name of the zone they were given in. The zone database
(``zoneinfo``, with the ``tzdata`` package as fallback) decides every offset, so daylight-saving changes are handled
by the data, never by arithmetic on offsets.

Local times at a daylight-saving change (see ``local_to_utc``)
    - A local time that does not exist (clocks jump from 02:00 to 03:00, so 02:30 never happens) is refused with
      ``NonexistentLocalTime``: a person must pick a real time, because any guess moves a deadline by an hour.
    - A local time that happens twice (clocks go back from 03:00 to 02:00, so 02:30 happens twice) means the FIRST
      occurrence, the earlier instant (still on summer time). It is the stricter reading for a deadline and the one
      most calendar programs use.

Deadlines (see ``application_window``)
    Applications open at ``applications_open_at`` (inclusive) and close at the end of the minute of
    ``application_deadline_at``: a deadline of 23:59 accepts 23:59:59 and refuses 00:00:00, one minute after the
    minute named. Either bound may be missing (open from now on, or no deadline).

Cohort windows (see ``cohort_phase`` and ``study_access``)
    A cohort runs from the start of ``starts_on`` to the end of ``ends_on``, both read in the cohort's time zone.
    Before it starts, enrolled learners are told when it opens and cannot study yet; while it runs they study at
    their own pace; after it ends the content stays readable, but new quiz attempts are refused unless staff allow
    late attempts for that cohort.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEADLINE_GRACE = timedelta(minutes=1)  # the deadline's own minute is included
DASH = "\u2013"  # en dash, between the start and end of a time range


class UnknownTimeZone(ValueError):
    pass


class NonexistentLocalTime(ValueError):
    """The local time falls in the gap of a daylight-saving change (it never appears on a clock there)."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(f"Unknown time zone {name!r}; use an IANA name such as Europe/Madrid.") from None


def local_to_utc(local: datetime, tz_name: str) -> datetime:
    """A wall-clock time in ``tz_name`` as an aware UTC instant. Nonexistent times are refused; ambiguous ones
    (repeated when clocks go back) mean their first occurrence. An aware ``local`` is converted as it is."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    tz = zone(tz_name)
    first = local.replace(tzinfo=tz, fold=0)
    instant = first.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local:
        shift = ((local + timedelta(hours=3)).replace(tzinfo=tz).utcoffset()
                 - (local - timedelta(hours=3)).replace(tzinfo=tz).utcoffset())
        raise NonexistentLocalTime(
            f"{local:%H:%M} on {local:%Y-%m-%d} does not exist in {tz_name}: the clocks move forward by "
            f"{_duration(shift)} that night. Pick a time before or after the change."
        )
    return instant


def utc_to_local(instant: datetime, tz_name: str) -> datetime:
    return instant.astimezone(zone(tz_name))


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} hour{'s' if hours != 1 else ''}" if hours else f"{minutes} minutes"


def start_of_day(day: date, tz_name: str) -> datetime:
    """The first instant of ``day`` in the zone (midnight, or the first real time when midnight is skipped)."""
    tz = zone(tz_name)
    candidate = datetime.combine(day, time(0, 0))
    for minutes in range(0, 24 * 60, 30):
        try:
            return local_to_utc(candidate + timedelta(minutes=minutes), tz_name)
        except NonexistentLocalTime:
            continue
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)  # pragma: no cover (no zone skips a day)


# Display.


def zone_abbreviation(moment: datetime) -> str:
    """CEST, KST, EDT…; zones without a common abbreviation show their offset as UTC+04 or UTC-03:30."""
    name = moment.tzname() or "UTC"
    if name[:1] in "+-":
        return "UTC" + name
    return name


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def _day(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def format_two_zones(instant: datetime, home_tz: str, viewer_tz: str | None) -> str:
    """``09:00 CEST / 16:00 KST``: the time in the zone it was set in, then in the viewer's zone (once when equal)."""
    home = utc_to_local(instant, home_tz)
    parts = [f"{_clock(home)} {zone_abbreviation(home)}"]
    if viewer_tz and not _same_clock(home, utc_to_local(instant, viewer_tz)):
        viewer = utc_to_local(instant, viewer_tz)
        day = "" if viewer.date() == home.date() else f" ({_day(viewer)})"
        parts.append(f"{_clock(viewer)} {zone_abbreviation(viewer)}{day}")
    return " / ".join(parts)


def _same_clock(a: datetime, b: datetime) -> bool:
    return a.utcoffset() == b.utcoffset() and zone_abbreviation(a) == zone_abbreviation(b)


def _range_in(starts_at: datetime, ends_at: datetime, tz_name: str) -> tuple[str, datetime]:
    start, end = utc_to_local(starts_at, tz_name), utc_to_local(ends_at, tz_name)
    start_abbr, end_abbr = zone_abbreviation(start), zone_abbreviation(end)
    if start.date() != end.date():
        text = f"{_clock(start)} {start_abbr} {DASH} {_day(end)} {_clock(end)} {end_abbr}"
    elif start_abbr != end_abbr:
        text = f"{_clock(start)} {start_abbr}{DASH}{_clock(end)} {end_abbr}"
    else:
        text = f"{_clock(start)}{DASH}{_clock(end)} {start_abbr}"
    return text, start


def format_session_time(starts_at: datetime, ends_at: datetime, home_tz: str, viewer_tz: str | None) -> str:
    """``Mon 3 Jul 2023, 09:00-11:00 CEST / 16:00-18:00 KST`` (en dashes), with the viewer's date when it differs."""
    home_text, home_start = _range_in(starts_at, ends_at, home_tz)
    text = f"{_day(home_start)}, {home_text}"
    if viewer_tz and not _same_clock(home_start, utc_to_local(starts_at, viewer_tz)):
        viewer_text, viewer_start = _range_in(starts_at, ends_at, viewer_tz)
        day = "" if viewer_start.date() == home_start.date() else f"{_day(viewer_start)}, "
        text += f" / {day}{viewer_text}"
    return text


def format_deadline(instant: datetime, tz_name: str) -> str:
    local = utc_to_local(instant, tz_name)
    return f"{local:%A} {local.day} {local:%B %Y} at {_clock(local)} {zone_abbreviation(local)} ({tz_name})"


def format_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


# Applications: open, not yet open, closed.


@dataclass(frozen=True)
class CohortTimes:
    """The times of a cohort the rules need; instants are aware (UTC), dates are in the cohort's zone."""

    timezone: str
    starts_on: date
    ends_on: date
    applications_open_at: datetime | None = None
    application_deadline_at: datetime | None = None
    name: str = "this cohort"

    @property
    def starts_at(self) -> datetime:
        return start_of_day(self.starts_on, self.timezone)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the last day."""
        return start_of_day(self.ends_on + timedelta(days=1), self.timezone)


class ApplicationWindow(StrEnum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


def application_window(times: CohortTimes, now: datetime) -> ApplicationWindow:
    _require_aware(now)
    if times.applications_open_at is not None and now < times.applications_open_at:
        return ApplicationWindow.NOT_YET_OPEN
    if times.application_deadline_at is not None and now >= times.application_deadline_at + DEADLINE_GRACE:
        return ApplicationWindow.CLOSED
    return ApplicationWindow.OPEN


def takes_open_enrolments(times: CohortTimes, now: datetime) -> bool:
    """The capture rule of an open-mode cohort (``enrolment: open`` in a package, or an administrator's choice): a
    learner who enrols in its open course at ``now`` joins it while it has not ended and its window is open, from
    ``applications_open`` (or at once) until ``application_deadline`` (or its end). Joined before the first day,
    the learner cannot study until the cohort starts (``study_access``)."""
    return cohort_phase(times, now) is not CohortPhase.ENDED and application_open(times, now)


def application_open(times: CohortTimes, now: datetime) -> bool:
    return application_window(times, now) is ApplicationWindow.OPEN


def application_refusal(times: CohortTimes, now: datetime) -> str | None:
    """Why an application made at ``now`` is refused, in words a person understands; None when it is on time."""
    window = application_window(times, now)
    if window is ApplicationWindow.NOT_YET_OPEN:
        assert times.applications_open_at is not None
        return (f"Applications for {times.name} open on "
                f"{format_deadline(times.applications_open_at, times.timezone)}.")
    if window is ApplicationWindow.CLOSED:
        assert times.application_deadline_at is not None
        return (f"Applications for {times.name} closed on "
                f"{format_deadline(times.application_deadline_at, times.timezone)}. "
                "Late applications cannot be accepted.")
    return None


# Cohort windows.


class CohortPhase(StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    ENDED = "ended"


def cohort_phase(times: CohortTimes, now: datetime) -> CohortPhase:
    _require_aware(now)
    if now < times.starts_at:
        return CohortPhase.NOT_STARTED
    if now >= times.ends_at:
        return CohortPhase.ENDED
    return CohortPhase.RUNNING


@dataclass(frozen=True)
class StudyAccess:
    phase: CohortPhase
    can_read: bool
    can_attempt: bool
    message: str = ""


def study_access(times: CohortTimes, now: datetime, *, allow_late_attempts: bool = False) -> StudyAccess:
    """What an enrolled learner of the cohort may do at ``now`` (staff are not bound by cohort windows)."""
    phase = cohort_phase(times, now)
    if phase is CohortPhase.NOT_STARTED:
        return StudyAccess(phase, False, False,
                           f"{times.name} opens on {format_day(times.starts_on)}. The lessons and quizzes open then.")
    if phase is CohortPhase.ENDED and not allow_late_attempts:
        return StudyAccess(phase, True, False,
                           f"{times.name} ended on {format_day(times.ends_on)}. You can still read every lesson, "
                           "but new quiz attempts are closed. Ask the programme staff if you need more time.")
    return StudyAccess(phase, True, True)


def seats_left(capacity: int | None, taken: int) -> int | None:
    """None means no limit."""
    return None if capacity is None else max(capacity - taken, 0)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
