"""What a package's cohorts will do to learners, said before anyone is affected.

Not problems (the package is valid): consequences an author should read before publishing, above all the capture
rule of ``enrolment: open`` cohorts (lms.core.schedule.takes_open_enrolments), which once locked an open course for
years without a word. ``flask lms validate``, ``flask lms diff``, the author's version page and the live preview show
them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from lms.core import schedule
from lms.core.packages.model import CohortSpec, EnrolmentMode, Package, Problem

COURSE_FILE = "course.yaml"


def cohort_warnings(package: Package, now: datetime) -> list[Problem]:
    """One warning per open-mode cohort that has not ended: who joins it, and from when they can study; and one per
    session longer than its template says."""
    warnings = [warning for spec in package.cohorts if (warning := _capture_warning(spec, now)) is not None]
    durations = {template.id: template.duration_minutes for template in package.live_sessions}
    for spec in package.cohorts:
        for session in spec.sessions:
            minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
            usual = durations.get(session.template)
            if usual is not None and minutes > usual:
                warnings.append(Problem(COURSE_FILE, spec.line, (
                    f"cohort '{spec.id}': the {session.template} session on {session.starts_at:%Y-%m-%d} lasts "
                    f"{minutes} minutes, longer than its live session's duration_minutes ({usual}), which the "
                    "course page shows learners as the session's length; make them agree")))
    return warnings


def _times(spec: CohortSpec) -> schedule.CohortTimes:
    def utc(moment: datetime | None) -> datetime | None:
        return moment.astimezone(UTC) if moment is not None else None

    return schedule.CohortTimes(timezone=spec.timezone, starts_on=spec.starts_on, ends_on=spec.ends_on,
                                applications_open_at=utc(spec.applications_open),
                                application_deadline_at=utc(spec.application_deadline), name=spec.name)


def _capture_warning(spec: CohortSpec, now: datetime) -> Problem | None:
    if spec.enrolment is not EnrolmentMode.OPEN:
        return None
    times = _times(spec)
    phase = schedule.cohort_phase(times, now)
    if phase is schedule.CohortPhase.ENDED:
        return None
    name = f"'{spec.name}'"
    until = (f"until {_day(spec.application_deadline.date())}" if spec.application_deadline is not None
             else f"until it ends on {_day(spec.ends_on)}")
    if schedule.takes_open_enrolments(times, now):
        who = "learners who enrol now"
    elif spec.applications_open is not None and times.applications_open_at and now < times.applications_open_at:
        who = f"learners who enrol from {_day(spec.applications_open.date())}"
    else:
        return None  # its window has closed: it takes nobody more
    if phase is schedule.CohortPhase.NOT_STARTED:
        consequence = f"join {name} and cannot study until {_day(spec.starts_on)}"
    else:
        consequence = f"join {name}, which runs until {_day(spec.ends_on)}"
    advice = ("" if spec.application_deadline is not None else
              "; to stop it taking learners earlier give it an application_deadline, or use 'enrolment: invite'")
    return Problem(COURSE_FILE, spec.line, f"{who} ({until}) {consequence}{advice}")


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
