"""What a cohort's public page shows: its dates, application window, seats left and live sessions, for one cohort
or every cohort of a course in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lms.core import clock, schedule
from lms.extensions import db
from lms.models import Cohort, Course, CourseVersion, LiveSession, User
from lms.services import attendance, wording
from lms.services.cohorts import (
    CohortSummary,
    cohort_times,
    cohorts_of_course,
    enrolled_cohort_ids,
    list_cohorts,
    taken_seats,
    taken_seats_of,
    visible_cohort,
)
from lms.services.live_sessions import SessionView, session_views, sessions_of


@dataclass(frozen=True)
class CohortPage:
    cohort: Cohort
    course: Course
    version: CourseVersion | None
    phase: schedule.CohortPhase
    window: schedule.ApplicationWindow
    opens: str  # application opening, formatted, or ""
    deadline: str  # application deadline, formatted, or ""
    sessions: tuple[SessionView, ...]
    enrolled: bool  # the viewer is enrolled in this cohort
    seats_left: int | None
    viewer_tz: str | None


def cohort_page(viewer: User | None, cohort_id: int, now: datetime | None = None) -> CohortPage:
    cohort, course, version = visible_cohort(viewer, cohort_id)
    return _cohort_page(viewer, cohort, course, version, sessions_of(cohort.id), enrolled_cohort_ids(viewer),
                        taken_seats(cohort), now or clock.now())


def course_cohort_pages(viewer: User | None, slug: str,
                        now: datetime | None = None) -> tuple[Course, CourseVersion, list[CohortPage]]:
    """Every cohort of a published course as its page shows it, in a fixed number of queries."""
    course, version, rows = cohorts_of_course(slug)
    return course, version, _cohort_pages(viewer, course, version, rows, now or clock.now())


def cohorts_taking_applications(viewer: User | None, course: Course, version: CourseVersion,
                                now: datetime | None = None) -> list[CohortPage]:
    """The cohorts of a course whose applications are open or not open yet, soonest first: their deadlines and dates
    are what the course page prints, so that no course text has to name a run's dates."""
    now = now or clock.now()
    rows = list(db.session.execute(
        select(Cohort).where(Cohort.course_id == course.id, Cohort.enrolment_mode == "application")
        .order_by(Cohort.starts_on, Cohort.id)
    ).scalars())
    return [page for page in _cohort_pages(viewer, course, version, rows, now)
            if page.window != schedule.ApplicationWindow.CLOSED]


def _cohort_pages(viewer: User | None, course: Course, version: CourseVersion | None, rows: list[Cohort],
                  now: datetime) -> list[CohortPage]:
    sessions: dict[int, list[LiveSession]] = {row.id: [] for row in rows}
    for session in db.session.execute(
        select(LiveSession).where(LiveSession.cohort_id.in_(list(sessions)))
        .order_by(LiveSession.starts_at, LiveSession.id)
    ).scalars():
        sessions[session.cohort_id].append(session)
    enrolled_ids = enrolled_cohort_ids(viewer)
    taken = taken_seats_of(rows)
    return [_cohort_page(viewer, row, course, version, sessions[row.id], enrolled_ids, taken[row.id], now)
            for row in rows]


def _cohort_page(viewer: User | None, cohort: Cohort, course: Course, version: CourseVersion | None,
                 sessions: list[LiveSession], enrolled_ids: set[int], taken: int, now: datetime) -> CohortPage:
    times = cohort_times(cohort)
    viewer_tz = viewer.timezone if viewer is not None and viewer.is_authenticated else None
    return CohortPage(
        cohort=cohort, course=course, version=version, phase=schedule.cohort_phase(times, now),
        window=schedule.application_window(times, now),
        opens=schedule.format_deadline(cohort.applications_open_at, cohort.timezone, wording.current_language())
        if cohort.applications_open_at else "",
        deadline=schedule.format_deadline(cohort.application_deadline_at, cohort.timezone, wording.current_language())
        if cohort.application_deadline_at else "",
        sessions=session_views(viewer, sessions, enrolled_ids, now),
        enrolled=cohort.id in enrolled_ids,
        seats_left=schedule.seats_left(cohort.capacity, taken) if cohort.capacity else None,
        viewer_tz=viewer_tz,
    )


@dataclass(frozen=True)
class StaffCohortPage:
    """The staff page of a cohort: the public page's facts, the counts of the cohort list, and whether the viewer
    takes its attendance."""

    page: CohortPage
    summary: CohortSummary
    may_take_attendance: bool


def staff_cohort_page(actor: User, cohort_id: int) -> StaffCohortPage:
    page = cohort_page(actor, cohort_id)
    summary = list_cohorts(actor, cohort_id=cohort_id)[0]
    return StaffCohortPage(page, summary, attendance.may_take_attendance(actor, page.course.id))
