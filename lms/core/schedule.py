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

from babel.dates import format_date, format_skeleton, get_datetime_format

from lms.core.i18n import N_, Phrase

DEADLINE_GRACE = timedelta(minutes=1)  # the deadline's own minute is included
DASH = "\u2013"  # en dash, between the start and end of a time range


class ScheduleError(ValueError):
    """A time a person gave cannot be used; ``phrase`` says why, to word in their language (str(): English)."""

    def __init__(self, phrase: Phrase) -> None:
        super().__init__(str(phrase))
        self.phrase = phrase


class UnknownTimeZone(ScheduleError):
    pass


class NonexistentLocalTime(ScheduleError):
    """The local time falls in the gap of a daylight-saving change (it never appears on a clock there)."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(Phrase(N_("Unknown time zone %(zone)s; use an IANA name such as Europe/Madrid."),
                                     zone=repr(name))) from None


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
        raise NonexistentLocalTime(Phrase(
            N_("%(time)s on %(day)s does not exist in %(zone)s: the clocks move forward by %(shift)s that night. "
               "Pick a time before or after the change."),
            time=f"{local:%H:%M}", day=f"{local:%Y-%m-%d}", zone=tz_name, shift=_duration(shift)))
    return instant


def utc_to_local(instant: datetime, tz_name: str) -> datetime:
    return instant.astimezone(zone(tz_name))


def _duration(delta: timedelta) -> Phrase:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return Phrase(N_("%(hours)s h %(minutes)s min"), hours=hours, minutes=minutes)
    if hours:
        return Phrase(N_("1 hour") if hours == 1 else N_("%(hours)s hours"), hours=hours)
    return Phrase(N_("%(minutes)s minutes"), minutes=minutes)


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


# Days in the reader's language (``locale``: an interface language code). English keeps the programme's house
# style ("Mon 3 Jul 2023", "Monday 3 July 2023 at 14:00"); other languages use CLDR's patterns for the same fields,
# so the order, the words and the joining word ("à", a comma, nothing) are theirs. Clocks are 24-hour everywhere.
_ENGLISH_SHORT_DAY = "EEE d MMM y"
_ENGLISH_LONG_DAY = "EEEE d MMMM y"


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def _day(moment: datetime | date, locale: str = "en") -> str:
    if locale == "en":
        return format_date(moment, _ENGLISH_SHORT_DAY, locale="en")
    return format_skeleton("yMMMEd", moment, locale=locale)


def _long_day(day: datetime | date, locale: str = "en") -> str:
    if locale == "en":
        return format_date(day, _ENGLISH_LONG_DAY, locale="en")
    return format_date(day, "full", locale=locale)


def _day_and_time(day: str, clock: str, locale: str) -> str:
    if locale == "en":
        return f"{day} at {clock}"
    return get_datetime_format("long", locale=locale).replace("'", "").replace("{1}", day).replace("{0}", clock)


def _same_clock(a: datetime, b: datetime) -> bool:
    return a.utcoffset() == b.utcoffset() and zone_abbreviation(a) == zone_abbreviation(b)


def _range_in(starts_at: datetime, ends_at: datetime, tz_name: str, locale: str = "en") -> tuple[str, datetime]:
    start, end = utc_to_local(starts_at, tz_name), utc_to_local(ends_at, tz_name)
    start_abbr, end_abbr = zone_abbreviation(start), zone_abbreviation(end)
    if start.date() != end.date():
        text = f"{_clock(start)} {start_abbr} {DASH} {_day(end, locale)} {_clock(end)} {end_abbr}"
    elif start_abbr != end_abbr:
        text = f"{_clock(start)} {start_abbr}{DASH}{_clock(end)} {end_abbr}"
    else:
        text = f"{_clock(start)}{DASH}{_clock(end)} {start_abbr}"
    return text, start


def format_session_time(starts_at: datetime, ends_at: datetime, home_tz: str, viewer_tz: str | None,
                        locale: str = "en") -> str:
    """``Mon 3 Jul 2023, 09:00-11:00 CEST / 16:00-18:00 KST`` (en dashes), with the viewer's date when it differs."""
    home_text, home_start = _range_in(starts_at, ends_at, home_tz, locale)
    text = f"{_day(home_start, locale)}, {home_text}"
    if viewer_tz and not _same_clock(home_start, utc_to_local(starts_at, viewer_tz)):
        viewer_text, viewer_start = _range_in(starts_at, ends_at, viewer_tz, locale)
        day = "" if viewer_start.date() == home_start.date() else f"{_day(viewer_start, locale)}, "
        text += f" / {day}{viewer_text}"
    return text


def format_deadline(instant: datetime, tz_name: str, locale: str = "en") -> str:
    """``Monday 3 March 2025 at 14:00 CET (Europe/Madrid)``; in Spanish ``lunes, 3 de marzo de 2025, 14:00 CET…``."""
    local = utc_to_local(instant, tz_name)
    when = _day_and_time(_long_day(local, locale), _clock(local), locale)
    return f"{when} {zone_abbreviation(local)} ({tz_name})"


def format_day(day: date, locale: str = "en") -> str:
    return _long_day(day, locale)


@dataclass(frozen=True)
class Deadline:
    """A moment inside a Phrase, written when the phrase is worded, in the reader's language (lms.core.i18n)."""

    instant: datetime
    tz_name: str

    def in_language(self, locale: str) -> str:
        return format_deadline(self.instant, self.tz_name, locale)


@dataclass(frozen=True)
class Day:
    day: date

    def in_language(self, locale: str) -> str:
        return format_day(self.day, locale)


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


def application_refusal(times: CohortTimes, now: datetime) -> Phrase | None:
    """Why an application made at ``now`` is refused, in words a person understands; None when it is on time."""
    window = application_window(times, now)
    if window is ApplicationWindow.NOT_YET_OPEN:
        assert times.applications_open_at is not None
        return Phrase(N_("Applications for %(cohort)s open on %(when)s."), cohort=times.name,
                      when=Deadline(times.applications_open_at, times.timezone))
    if window is ApplicationWindow.CLOSED:
        assert times.application_deadline_at is not None
        return Phrase(N_("Applications for %(cohort)s closed on %(when)s. Late applications cannot be accepted."),
                      cohort=times.name, when=Deadline(times.application_deadline_at, times.timezone))
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
    message: Phrase | str | None = None  # a Phrase from here; services word it for the reader


def study_access(times: CohortTimes, now: datetime, *, allow_late_attempts: bool = False) -> StudyAccess:
    """What an enrolled learner of the cohort may do at ``now`` (staff are not bound by cohort windows)."""
    phase = cohort_phase(times, now)
    if phase is CohortPhase.NOT_STARTED:
        return StudyAccess(phase, False, False,
                           Phrase(N_("%(cohort)s opens on %(day)s. The lessons and quizzes open then."),
                                  cohort=times.name, day=Day(times.starts_on)))
    if phase is CohortPhase.ENDED and not allow_late_attempts:
        return StudyAccess(phase, True, False,
                           Phrase(N_("%(cohort)s ended on %(day)s. You can still read every lesson, but new quiz "
                                     "attempts are closed. Ask the programme staff if you need more time."),
                                  cohort=times.name, day=Day(times.ends_on)))
    return StudyAccess(phase, True, True)


def seats_left(capacity: int | None, taken: int) -> int | None:
    """None means no limit."""
    return None if capacity is None else max(capacity - taken, 0)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
