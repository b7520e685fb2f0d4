"""Cohorts (runs of a course) and their live sessions: created by a package on publish or by staff, shown to learners
with times in two zones, and the cohort window that bounds an enrolled learner's study.

The time rules are lms.core.schedule's; who may do what is lms.authz's.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from lms import authz
from lms.core import links, schedule
from lms.core.packages import CohortSpec, Package, Problem, SessionTemplate
from lms.extensions import db
from lms.models import Application, Attendance, Cohort, Course, CourseVersion, Enrolment, LiveSession, User
from lms.services import audit, catalog, staffing
from lms.services.errors import Conflict, Invalid, NotAllowed, NotFound

log = logging.getLogger(__name__)

ENROLMENT_MODES = ("open", "application", "invite")


def _now() -> datetime:
    return datetime.now(UTC)


def cohort_times(cohort: Cohort) -> schedule.CohortTimes:
    return schedule.CohortTimes(timezone=cohort.timezone, starts_on=cohort.starts_on, ends_on=cohort.ends_on,
                                applications_open_at=cohort.applications_open_at,
                                application_deadline_at=cohort.application_deadline_at, name=cohort.name)


# Reading.


def get_cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound("There is no such cohort.")
    return cohort


def get_session(session_id: int) -> LiveSession:
    row = db.session.get(LiveSession, session_id)
    if row is None:
        raise NotFound("There is no such live session.")
    return row


def course_of(cohort: Cohort) -> tuple[Course, CourseVersion | None]:
    row = db.session.execute(
        select(Course, CourseVersion).outerjoin(CourseVersion, (CourseVersion.course_id == Course.id)
                                                & CourseVersion.is_current)
        .where(Course.id == cohort.course_id)
    ).one()
    return row[0], row[1]


def sessions_of(cohort_id: int) -> list[LiveSession]:
    return list(db.session.execute(
        select(LiveSession).where(LiveSession.cohort_id == cohort_id).order_by(LiveSession.starts_at, LiveSession.id)
    ).scalars())


@dataclass(frozen=True)
class CohortSummary:
    cohort: Cohort
    course: Course
    title: str  # the course's current title
    sessions: int
    enrolled: int
    applications: dict[str, int]


def list_cohorts(actor: User | None, course_slug: str | None = None,
                 cohort_id: int | None = None) -> list[CohortSummary]:
    """Cohorts with their counts (all, a course's, or one), for staff pages and the CLI (actor None: the operator at
    the command line)."""
    if actor is not None and not authz.is_staff(actor):
        raise NotAllowed("Only programme staff can list cohorts.")
    session_count = (select(func.count()).select_from(LiveSession)
                     .where(LiveSession.cohort_id == Cohort.id).scalar_subquery())
    enrolled_count = (select(func.count()).select_from(Enrolment)
                      .where(Enrolment.cohort_id == Cohort.id, Enrolment.status == "active").scalar_subquery())
    query = (select(Cohort, Course, CourseVersion.title, session_count, enrolled_count)
             .join(Course, Course.id == Cohort.course_id)
             .outerjoin(CourseVersion, (CourseVersion.course_id == Course.id) & CourseVersion.is_current)
             .order_by(Course.slug, Cohort.starts_on.desc(), Cohort.id))
    if course_slug:
        query = query.where(Course.slug == course_slug)
    if cohort_id is not None:
        query = query.where(Cohort.id == cohort_id)
    rows = db.session.execute(query).all()
    counts: dict[int, dict[str, int]] = {}
    for listed_id, status, count in db.session.execute(
        select(Application.cohort_id, Application.status, func.count())
        .where(Application.cohort_id.in_([row[0].id for row in rows]))
        .group_by(Application.cohort_id, Application.status)
    ).all():
        counts.setdefault(listed_id, {})[status] = count
    return [CohortSummary(cohort, course, title or course.slug, sessions or 0, enrolled or 0, counts.get(cohort.id, {}))
            for cohort, course, title, sessions, enrolled in rows]


def cohorts_of_course(slug: str) -> tuple[Course, CourseVersion, list[Cohort]]:
    """A published course and its cohorts, newest first, for the learner's pages."""
    course, version = catalog.published_version(slug)
    cohorts = list(db.session.execute(
        select(Cohort).where(Cohort.course_id == course.id).order_by(Cohort.starts_on.desc(), Cohort.id)
    ).scalars())
    return course, version, cohorts


@dataclass(frozen=True)
class SessionView:
    session: LiveSession
    when: str  # "Mon 3 Jul 2023, 09:00-11:00 CEST / 16:00-18:00 KST" (en dashes)
    join_url: str  # empty unless the viewer may join
    recording_url: str
    past: bool


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


def enrolled_cohort_ids(user: User | None) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.execute(
        select(Enrolment.cohort_id).where(Enrolment.user_id == user.id, Enrolment.status == "active",
                                          Enrolment.cohort_id.is_not(None))
    ).scalars())


def session_views(viewer: User | None, sessions: list[LiveSession], enrolled_ids: set[int],
                  now: datetime | None = None) -> tuple[SessionView, ...]:
    now = now or _now()
    viewer_tz = getattr(viewer, "timezone", None) if viewer is not None and viewer.is_authenticated else None
    teaching = staffing.teaching_course_ids(viewer)
    views = []
    for row in sessions:
        cohort = db.session.get(Cohort, row.cohort_id)  # loaded with the sessions by every caller: no query
        may_join = authz.can_see_join_link(viewer, cohort.course_id, teaching,
                                           enrolled_in_cohort=row.cohort_id in enrolled_ids)
        views.append(SessionView(
            session=row, when=schedule.format_session_time(row.starts_at, row.ends_at, row.timezone, viewer_tz),
            join_url=links.safe_link(row.join_url) if may_join else "",
            recording_url=links.safe_link(row.recording_url) if may_join else "",
            past=row.ends_at <= now,
        ))
    return tuple(views)


def taken_seats(cohort: Cohort) -> int:
    """Seats taken: accepted applications for application cohorts, active members for the others."""
    return taken_seats_of([cohort])[cohort.id]


def taken_seats_of(cohorts: list[Cohort]) -> dict[int, int]:
    """The same for several cohorts, in at most two queries."""
    by_applications = [c.id for c in cohorts if c.enrolment_mode == "application"]
    by_members = [c.id for c in cohorts if c.enrolment_mode != "application"]
    taken = dict.fromkeys((c.id for c in cohorts), 0)
    if by_applications:
        taken.update({cohort_id: count for cohort_id, count in db.session.execute(
            select(Application.cohort_id, func.count()).where(
                Application.cohort_id.in_(by_applications), Application.status == "accepted")
            .group_by(Application.cohort_id))})
    if by_members:
        taken.update({cohort_id: count for cohort_id, count in db.session.execute(
            select(Enrolment.cohort_id, func.count()).where(
                Enrolment.cohort_id.in_(by_members), Enrolment.status == "active")
            .group_by(Enrolment.cohort_id))})
    return taken


def visible_cohort(viewer: User | None, cohort_id: int) -> tuple[Cohort, Course, CourseVersion | None]:
    """A cohort (and its course) as the viewer may see it: public once its course is published, to staff always.
    The joining links have their own rule (authz.can_see_join_link)."""
    cohort = get_cohort(cohort_id)
    course, version = course_of(cohort)
    if version is None and not authz.is_staff(viewer):
        raise NotFound("There is no such cohort.")
    return cohort, course, version


def cohort_page(viewer: User | None, cohort_id: int, now: datetime | None = None) -> CohortPage:
    cohort, course, version = visible_cohort(viewer, cohort_id)
    return _cohort_page(viewer, cohort, course, version, sessions_of(cohort.id), enrolled_cohort_ids(viewer),
                        taken_seats(cohort), now or _now())


def course_cohort_pages(viewer: User | None, slug: str,
                        now: datetime | None = None) -> tuple[Course, CourseVersion, list[CohortPage]]:
    """Every cohort of a published course as its page shows it, in a fixed number of queries."""
    course, version, rows = cohorts_of_course(slug)
    sessions: dict[int, list[LiveSession]] = {row.id: [] for row in rows}
    for session in db.session.execute(
        select(LiveSession).where(LiveSession.cohort_id.in_(list(sessions)))
        .order_by(LiveSession.starts_at, LiveSession.id)
    ).scalars():
        sessions[session.cohort_id].append(session)
    enrolled_ids = enrolled_cohort_ids(viewer)
    taken = taken_seats_of(rows)
    now = now or _now()
    return course, version, [_cohort_page(viewer, row, course, version, sessions[row.id], enrolled_ids,
                                          taken[row.id], now) for row in rows]


def _cohort_page(viewer: User | None, cohort: Cohort, course: Course, version: CourseVersion | None,
                 sessions: list[LiveSession], enrolled_ids: set[int], taken: int, now: datetime) -> CohortPage:
    times = cohort_times(cohort)
    viewer_tz = viewer.timezone if viewer is not None and viewer.is_authenticated else None
    return CohortPage(
        cohort=cohort, course=course, version=version, phase=schedule.cohort_phase(times, now),
        window=schedule.application_window(times, now),
        opens=schedule.format_deadline(cohort.applications_open_at, cohort.timezone)
        if cohort.applications_open_at else "",
        deadline=schedule.format_deadline(cohort.application_deadline_at, cohort.timezone)
        if cohort.application_deadline_at else "",
        sessions=session_views(viewer, sessions, enrolled_ids, now),
        enrolled=cohort.id in enrolled_ids,
        seats_left=schedule.seats_left(cohort.capacity, taken) if cohort.capacity else None,
        viewer_tz=viewer_tz,
    )


@dataclass(frozen=True)
class UpcomingSession:
    view: SessionView
    cohort: Cohort


def learner_sessions(user: User) -> list[tuple[LiveSession, Cohort]]:
    """The live sessions of the cohorts the learner is enrolled in, in time order, with their cohort."""
    return [tuple(row) for row in db.session.execute(
        select(LiveSession, Cohort).join(Cohort, Cohort.id == LiveSession.cohort_id)
        .join(Enrolment, (Enrolment.cohort_id == Cohort.id) & (Enrolment.user_id == user.id)
              & (Enrolment.status == "active"))
        .order_by(LiveSession.starts_at)
    ).all()]


def my_sessions(user: User, now: datetime | None = None) -> list[UpcomingSession]:
    """The live sessions of every cohort the learner is in, upcoming first, then past ones."""
    now = now or _now()
    rows = learner_sessions(user)
    enrolled = {cohort.id for _, cohort in rows}
    views = session_views(user, [row for row, _ in rows], enrolled, now)
    items = [UpcomingSession(view, cohort) for view, (_, cohort) in zip(views, rows, strict=True)]
    return [item for item in items if not item.view.past] + [item for item in items if item.view.past][::-1]


# The cohort window of an enrolled learner.


def study_access_for(enrolment: Enrolment | None, now: datetime | None = None) -> schedule.StudyAccess | None:
    """What the learner's cohort allows at ``now``; None when the enrolment is not in a cohort (no window)."""
    if enrolment is None or enrolment.cohort_id is None:
        return None
    cohort = db.session.get(Cohort, enrolment.cohort_id)
    if cohort is None:
        return None
    return schedule.study_access(cohort_times(cohort), now or _now(), allow_late_attempts=cohort.allow_late_attempts)


def require_cohort_open(user: User, enrolment: Enrolment | None) -> None:
    """Before the cohort starts, its learners see when it opens instead of the lessons (staff are never held)."""
    if authz.is_staff(user):
        return
    access = study_access_for(enrolment)
    if access is not None and not access.can_read:
        raise NotAllowed(access.message)


def attempt_refusal(user: User, enrolment: Enrolment | None) -> str | None:
    """Why the learner may not start a quiz attempt now (outside the cohort's window); None when they may."""
    if authz.is_staff(user):
        return None
    access = study_access_for(enrolment)
    if access is not None and not access.can_attempt:
        return access.message
    return None


def sessions_attended_select(user_id: int, course_ids: list[int]) -> Select:
    """(course id, session id) of each live session of these courses' cohorts that the learner attended, once each."""
    return (
        select(Cohort.course_id, Attendance.session_id).distinct()
        .join(LiveSession, LiveSession.id == Attendance.session_id)
        .join(Cohort, Cohort.id == LiveSession.cohort_id)
        .where(Attendance.user_id == user_id, Cohort.course_id.in_(course_ids))
    )


def preload(cohort_ids: list[int]) -> None:
    """Load these cohorts in one query, so that looking each one up later (db.session.get) costs none."""
    if cohort_ids:
        db.session.execute(select(Cohort).where(Cohort.id.in_(cohort_ids))).scalars().all()


def open_cohort_for(course_id: int, now: datetime | None = None) -> Cohort | None:
    """The cohort an open enrolment joins: an open-mode cohort that has not ended and takes people now (the one
    starting first)."""
    now = now or _now()
    candidates = db.session.execute(
        select(Cohort).where(Cohort.course_id == course_id, Cohort.enrolment_mode == "open")
        .order_by(Cohort.starts_on, Cohort.id)
    ).scalars()
    for cohort in candidates:
        times = cohort_times(cohort)
        if schedule.cohort_phase(times, now) is not schedule.CohortPhase.ENDED and schedule.application_open(times,
                                                                                                             now):
            return cohort
    return None


def lock_cohort(cohort_id: int) -> Cohort:
    """Load the cohort with a row lock (SELECT … FOR UPDATE on PostgreSQL), so seat counts are decided one at a time.
    The lock is held until the transaction ends."""
    cohort = db.session.execute(
        select(Cohort).where(Cohort.id == cohort_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if cohort is None:
        raise NotFound("There is no such cohort.")
    return cohort


def claim_open_seat(course_id: int, now: datetime | None = None) -> int | None:
    """For enrolment in an open course: lock the open cohort and check a seat is left. The caller enrols (and
    commits) in the same transaction. None when the course has no open cohort."""
    cohort = open_cohort_for(course_id, now)
    if cohort is None:
        return None
    cohort = lock_cohort(cohort.id)
    left = schedule.seats_left(cohort.capacity, taken_seats(cohort))
    if left == 0:
        db.session.rollback()
        raise Conflict(f"{cohort.name} is full. Please contact the programme staff.")
    return cohort.id


# Creating and editing (administrators, and the command line with actor None).


@dataclass(frozen=True)
class CohortData:
    name: str
    timezone: str
    starts_on: date
    ends_on: date
    applications_open: datetime | None = None  # naive: local time in ``timezone``
    application_deadline: datetime | None = None
    capacity: int | None = None
    enrolment_mode: str = "application"
    allow_late_attempts: bool = False
    key: str | None = None


@dataclass(frozen=True)
class SessionData:
    title: str
    starts_at: datetime  # naive: local time in ``timezone``
    ends_at: datetime
    timezone: str
    description: str = ""
    join_url: str = ""
    recording_url: str = ""
    key: str | None = None


def _require_manager(actor: User | None) -> None:
    if actor is not None and not authz.can_manage_cohorts(actor):
        raise NotAllowed("Only administrators can create or change cohorts.")


def _to_utc(local: datetime | None, tz_name: str, field: str) -> datetime | None:
    if local is None:
        return None
    try:
        return schedule.local_to_utc(local, tz_name)
    except (schedule.NonexistentLocalTime, schedule.UnknownTimeZone) as error:
        raise Invalid(str(error), field=field) from None


def _apply_cohort(cohort: Cohort, data: CohortData) -> None:
    name = " ".join((data.name or "").split())
    if not name:
        raise Invalid("Give the cohort a name.", field="name")
    try:
        schedule.zone(data.timezone)
    except schedule.UnknownTimeZone as error:
        raise Invalid(str(error), field="timezone") from None
    if data.ends_on < data.starts_on:
        raise Invalid("The cohort cannot end before it starts.", field="ends_on")
    if data.capacity is not None and data.capacity < 1:
        raise Invalid("Capacity must be at least 1, or empty for no limit.", field="capacity")
    if data.enrolment_mode not in ENROLMENT_MODES:
        raise Invalid(f"Enrolment mode must be one of {', '.join(ENROLMENT_MODES)}.", field="enrolment_mode")
    opens = _to_utc(data.applications_open, data.timezone, "applications_open")
    deadline = _to_utc(data.application_deadline, data.timezone, "application_deadline")
    if opens and deadline and deadline <= opens:
        raise Invalid("The application deadline must come after applications open.", field="application_deadline")
    cohort.name, cohort.timezone = name, data.timezone
    cohort.starts_on, cohort.ends_on = data.starts_on, data.ends_on
    cohort.applications_open_at, cohort.application_deadline_at = opens, deadline
    cohort.capacity, cohort.enrolment_mode = data.capacity, data.enrolment_mode
    cohort.allow_late_attempts = bool(data.allow_late_attempts)


def create_cohort(actor: User | None, course_slug: str, data: CohortData) -> Cohort:
    _require_manager(actor)
    course = catalog.get_course(course_slug)
    key = data.key or f"{data.starts_on:%Y-%m}-{secrets.token_hex(3)}"
    cohort = Cohort(course_id=course.id, key=key)
    _apply_cohort(cohort, data)
    db.session.add(cohort)
    _flush_unique(f"Course '{course_slug}' already has a cohort with the key '{key}'.")
    audit.record(actor, "cohort.create", "cohort", cohort.id,
                 {"course": course_slug, **audit.fields_of(cohort_data(cohort))})
    db.session.commit()
    log.info("cohort %s (%s) created for %s", cohort.id, cohort.name, course_slug)
    return cohort


def update_cohort(actor: User | None, cohort_id: int, data: CohortData) -> Cohort:
    _require_manager(actor)
    cohort = get_cohort(cohort_id)
    before = cohort_data(cohort)
    _apply_cohort(cohort, data)
    if changed := audit.changes(before, cohort_data(cohort)):
        audit.record(actor, "cohort.update", "cohort", cohort.id, changed)
        _release_from_package(cohort)
    db.session.commit()
    return cohort


def cohort_data(cohort: Cohort, **changes: Any) -> CohortData:
    """The cohort's current values as CohortData (local times in its zone), with ``changes`` applied."""
    def local(instant: datetime | None) -> datetime | None:
        return schedule.utc_to_local(instant, cohort.timezone).replace(tzinfo=None) if instant else None

    values = {"name": cohort.name, "timezone": cohort.timezone, "starts_on": cohort.starts_on,
              "ends_on": cohort.ends_on, "applications_open": local(cohort.applications_open_at),
              "application_deadline": local(cohort.application_deadline_at), "capacity": cohort.capacity,
              "enrolment_mode": cohort.enrolment_mode, "allow_late_attempts": cohort.allow_late_attempts,
              "key": cohort.key}
    values.update({name: value for name, value in changes.items()})
    return CohortData(**values)


def session_data(row: LiveSession) -> SessionData:
    def local(instant: datetime) -> datetime:
        return schedule.utc_to_local(instant, row.timezone).replace(tzinfo=None)

    return SessionData(title=row.title, starts_at=local(row.starts_at), ends_at=local(row.ends_at),
                       timezone=row.timezone, description=row.description, join_url=row.join_url,
                       recording_url=row.recording_url, key=row.key)


def _check_url(url: str, field: str) -> str:
    url = (url or "").strip()
    if problem := links.link_problem(url):
        raise Invalid(problem, field=field)
    return url


def _apply_session(row: LiveSession, data: SessionData) -> None:
    title = " ".join((data.title or "").split())
    if not title:
        raise Invalid("Give the session a title.", field="title")
    starts = _to_utc(data.starts_at, data.timezone, "starts_at")
    ends = _to_utc(data.ends_at, data.timezone, "ends_at")
    assert starts is not None and ends is not None
    if ends <= starts:
        raise Invalid("The session must end after it starts.", field="ends_at")
    if row.id is not None and (row.starts_at != starts or row.ends_at != ends):
        row.sequence = (row.sequence or 0) + 1
    row.title, row.description = title, (data.description or "").strip()
    row.starts_at, row.ends_at, row.timezone = starts, ends, data.timezone
    row.join_url = _check_url(data.join_url, "join_url")
    row.recording_url = _check_url(data.recording_url, "recording_url")


def add_session(actor: User | None, cohort_id: int, data: SessionData) -> LiveSession:
    _require_manager(actor)
    cohort = get_cohort(cohort_id)
    key = data.key or f"session-{secrets.token_hex(3)}"
    row = LiveSession(cohort_id=cohort.id, key=key, sequence=0)
    _apply_session(row, data)
    db.session.add(row)
    _flush_unique(f"This cohort already has a session with the key '{key}'.")
    _release_from_package(cohort)
    audit.record(actor, "session.create", "live_session", row.id,
                 {"cohort_id": cohort.id, **audit.fields_of(session_data(row))})
    db.session.commit()
    return row


def update_session(actor: User | None, session_id: int, data: SessionData) -> LiveSession:
    _require_manager(actor)
    row = get_session(session_id)
    before = session_data(row)
    _apply_session(row, data)
    if changed := audit.changes(before, session_data(row)):
        audit.record(actor, "session.update", "live_session", row.id, changed)
        _release_from_package(row, get_cohort(row.cohort_id))
    db.session.commit()
    return row


def _flush_unique(message: str) -> None:
    from sqlalchemy.exc import IntegrityError

    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(message) from None


# Cohorts declared by a course package, created or updated when a version is published.
#
# A package may create cohorts and later change the ones it created, and nothing else: publishing runs with an
# instructor's rights, while cohorts are the administrators' (dates, capacity, joining links). A cohort whose key
# names one made by staff, or one staff edited since a package last set it, is a file:line problem at import and at
# publish time. A manual edit releases the cohort from the package (package_values becomes None), so the two never
# fight over it.


@dataclass(frozen=True)
class SessionPlan:
    key: str
    values: dict[str, Any]  # as stored in package_values (JSON: instants as ISO 8601 in UTC)
    row: LiveSession | None  # None: publishing creates it
    changes: dict[str, dict[str, Any]]  # for an existing session: field -> {"from", "to"}


@dataclass(frozen=True)
class CohortPlan:
    """What publishing a package does to one of its cohorts."""

    spec: CohortSpec
    values: dict[str, Any]
    row: Cohort | None  # None: publishing creates it
    changes: dict[str, dict[str, Any]]
    sessions: tuple[SessionPlan, ...]
    refusal: str | None  # why the package may not touch this existing cohort

    @property
    def is_new(self) -> bool:
        return self.row is None

    @property
    def sessions_added(self) -> tuple[SessionPlan, ...]:
        return tuple(plan for plan in self.sessions if plan.row is None)

    @property
    def sessions_changed(self) -> tuple[SessionPlan, ...]:
        return tuple(plan for plan in self.sessions if plan.row is not None and plan.changes)

    @property
    def changes_anything(self) -> bool:
        return self.is_new or bool(self.changes or self.sessions_added or self.sessions_changed)

    def summary_lines(self) -> list[str]:
        """What publishing does to this cohort, one sentence per change, for the diff page and `flask lms diff`."""
        name = f"“{self.spec.name}” ({self.spec.id})"
        if self.refusal:
            return [f"Cohort {name} cannot be changed by this package: {self.refusal}."]
        if self.is_new:
            return [f"Creates cohort {name} with {len(self.sessions)} live session(s)."]
        lines = [f"Changes cohort {name}: {_describe_changes(self.changes)}."] if self.changes else []
        lines += [f"Adds live session {plan.values['title']!r} ({plan.key})." for plan in self.sessions_added]
        lines += [f"Changes live session {plan.key}: {_describe_changes(plan.changes)}."
                  for plan in self.sessions_changed]
        return lines


_FIELD_LABELS = {"name": "name", "timezone": "time zone", "applications_open_at": "applications open",
                 "application_deadline_at": "application deadline", "starts_on": "first day", "ends_on": "last day",
                 "capacity": "capacity", "title": "title", "description": "description", "starts_at": "start",
                 "ends_at": "end", "join_url": "joining link"}


def _describe_changes(changes: dict[str, dict[str, Any]]) -> str:
    def shown(value: Any) -> str:
        if value is None or value == "":
            return "none"
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return str(value)

    return "; ".join(f"{_FIELD_LABELS.get(name, name)} from {shown(change['from'])} to {shown(change['to'])}"
                     for name, change in changes.items())


def _package_cohort_values(spec: CohortSpec) -> dict[str, Any]:
    def iso(moment: datetime | None) -> str | None:
        return moment.astimezone(UTC).isoformat() if moment is not None else None

    return {"name": spec.name, "timezone": spec.timezone, "applications_open_at": iso(spec.applications_open),
            "application_deadline_at": iso(spec.application_deadline), "starts_on": spec.starts_on.isoformat(),
            "ends_on": spec.ends_on.isoformat(), "capacity": spec.capacity}


def _package_session_values(spec: CohortSpec, templates: dict[str, SessionTemplate]) -> list[tuple[str, dict]]:
    """(key, values) of each session the cohort declares; a template used twice gets keys ``t``, ``t-2``..."""
    used: dict[str, int] = {}
    result = []
    for item in spec.sessions:
        used[item.template] = used.get(item.template, 0) + 1
        key = item.template if used[item.template] == 1 else f"{item.template}-{used[item.template]}"
        template = templates.get(item.template)
        result.append((key, {"title": template.title if template else item.template,
                             "description": template.description if template else "",
                             "starts_at": item.starts_at.astimezone(UTC).isoformat(),
                             "ends_at": item.ends_at.astimezone(UTC).isoformat(),
                             "timezone": spec.timezone, "join_url": item.join_url or ""}))
    return result


def _from_json(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in ("starts_on", "ends_on"):
        return date.fromisoformat(value)
    if name.endswith("_at"):
        return datetime.fromisoformat(value)
    return value


def _differences(row: Any, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: {"from": getattr(row, name), "to": _from_json(name, value)} for name, value in values.items()
            if getattr(row, name) != _from_json(name, value)}


def _set_by_package(row: Cohort | LiveSession) -> bool:
    """Whether the row is exactly what a package last made it: staff neither made it nor changed it since (rows
    edited before edits released them from the package still differ from what it set)."""
    return row.package_values is not None and not _differences(row, row.package_values)


def _refusal(cohort: Cohort, sessions: list[LiveSession]) -> str | None:
    if cohort.package_values is None:
        return (f"cohort '{cohort.key}' already exists and was made or edited by an administrator; a package may only "
                "change cohorts it created and nobody edited since. Give this cohort another id, or ask an "
                "administrator to change the existing one")
    if not _set_by_package(cohort) or not all(_set_by_package(row) for row in sessions):
        return (f"cohort '{cohort.key}' was edited by an administrator since a package last set it; a package may "
                "only change cohorts nobody edited since. Give this cohort another id, or ask an administrator to "
                "change the existing one")
    return None


def plan_package_cohorts(course: Course | None, package: Package) -> list[CohortPlan]:
    """What publishing ``package`` would do to each cohort it declares (the diff shows it, publishing applies it)."""
    existing: dict[str, Cohort] = {}
    sessions: dict[int, list[LiveSession]] = {}
    if course is not None and package.cohorts:
        existing = {cohort.key: cohort for cohort in db.session.execute(
            select(Cohort).where(Cohort.course_id == course.id,
                                 Cohort.key.in_([spec.id for spec in package.cohorts]))).scalars()}
        for row in db.session.execute(select(LiveSession).where(
                LiveSession.cohort_id.in_([cohort.id for cohort in existing.values()]))).scalars():
            sessions.setdefault(row.cohort_id, []).append(row)
    templates = {template.id: template for template in package.live_sessions}
    plans = []
    for spec in package.cohorts:
        cohort = existing.get(spec.id)
        values = _package_cohort_values(spec)
        rows = {row.key: row for row in sessions.get(cohort.id, [])} if cohort is not None else {}
        session_plans = tuple(
            SessionPlan(key, session_values, rows.get(key),
                        _differences(rows[key], session_values) if key in rows else {})
            for key, session_values in _package_session_values(spec, templates))
        plans.append(CohortPlan(
            spec=spec, values=values, row=cohort, sessions=session_plans,
            changes=_differences(cohort, values) if cohort is not None else {},
            refusal=_refusal(cohort, sessions.get(cohort.id, [])) if cohort is not None else None))
    return plans


def package_cohort_problems(plans: list[CohortPlan]) -> list[Problem]:
    return [Problem("course.yaml", plan.spec.line, plan.refusal) for plan in plans if plan.refusal]


def sync_package_cohorts(actor: User | None, course: Course, package: Package) -> list[Cohort]:
    """Create the package's cohorts and sessions that do not exist yet (by key) and update the ones it created
    before, audited like manual changes. Nothing is deleted: a cohort or session a new version leaves out stays,
    with its applications and attendance. Runs inside the publishing transaction (no commit here); the caller has
    refused the package if any plan has a refusal."""
    synced = []
    for plan in plan_package_cohorts(course, package):
        assert plan.refusal is None, plan.refusal
        cohort = plan.row
        if cohort is None:
            cohort = Cohort(course_id=course.id, key=plan.spec.id, enrolment_mode=package.enrolment.value,
                            allow_late_attempts=False)
            _apply_package_values(cohort, plan.values)
            db.session.add(cohort)
            db.session.flush()
            audit.record(actor, "cohort.create", "cohort", cohort.id,
                         {"course": course.slug, "by_package_version": package.version,
                          **audit.fields_of(cohort_data(cohort))})
        elif plan.changes:
            before = cohort_data(cohort)
            _apply_package_values(cohort, plan.values)
            audit.record(actor, "cohort.update", "cohort", cohort.id,
                         {**audit.changes(before, cohort_data(cohort)), "by_package_version": package.version})
        else:
            cohort.package_values = plan.values
        for session_plan in plan.sessions:
            _sync_session(actor, cohort, session_plan, package.version)
        synced.append(cohort)
    return synced


def _apply_package_values(row: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, _from_json(name, value))
    row.package_values = values


def _sync_session(actor: User | None, cohort: Cohort, plan: SessionPlan, package_version: str) -> None:
    row = plan.row
    if row is None:
        row = LiveSession(cohort_id=cohort.id, key=plan.key, sequence=0, recording_url="")
        _apply_package_values(row, plan.values)
        db.session.add(row)
        db.session.flush()
        audit.record(actor, "session.create", "live_session", row.id,
                     {"cohort_id": cohort.id, "by_package_version": package_version,
                      **audit.fields_of(session_data(row))})
    elif plan.changes:
        before = session_data(row)
        _apply_package_values(row, plan.values)
        if "starts_at" in plan.changes or "ends_at" in plan.changes:
            row.sequence = (row.sequence or 0) + 1  # calendars replace the event
        audit.record(actor, "session.update", "live_session", row.id,
                     {**audit.changes(before, session_data(row)), "by_package_version": package_version})
    else:
        row.package_values = plan.values


def _release_from_package(*rows: Cohort | LiveSession) -> None:
    """A manual change makes a cohort (or session) the administrators': packages may no longer change it."""
    for row in rows:
        row.package_values = None


# The demo cohort that `make run` creates, so a new user can try the whole flow.

DEMO_KEY = "demo"


def ensure_demo_cohort(course_slug: str, today: date, *, timezone: str = "Europe/Madrid") -> Cohort | None:
    """An application cohort dated from today: applications open, a deadline in three weeks, weekly live sessions
    at 09:00 in ``timezone``. Re-dated when run again after its applications closed. None if the course is absent."""
    course = db.session.execute(select(Course).filter_by(slug=course_slug)).scalar_one_or_none()
    if course is None:
        return None
    cohort = db.session.execute(select(Cohort).filter_by(course_id=course.id, key=DEMO_KEY)).scalar_one_or_none()
    if cohort is not None and schedule.application_open(cohort_times(cohort), _now()):
        return cohort
    data = CohortData(
        name=f"{course_slug.replace('-', ' ').title()} — demo run", timezone=timezone, key=DEMO_KEY,
        starts_on=today, ends_on=today + timedelta(days=42),
        applications_open=datetime.combine(today - timedelta(days=1), datetime.min.time()),
        application_deadline=datetime.combine(today + timedelta(days=21), datetime.min.time()).replace(hour=23,
                                                                                                      minute=59),
        capacity=30, enrolment_mode="application",
    )
    if cohort is None:
        cohort = Cohort(course_id=course.id, key=DEMO_KEY)
        db.session.add(cohort)
    _apply_cohort(cohort, data)
    db.session.flush()
    existing = {row.key: row for row in sessions_of(cohort.id)}
    titles = ["Orientation", "Session 1", "Session 2", "Session 3"]
    for number, title in enumerate(titles):
        day = today + timedelta(days=3 + 7 * number)
        session = SessionData(title=f"{title} (demo)", timezone=timezone,
                              starts_at=datetime.combine(day, datetime.min.time()).replace(hour=9),
                              ends_at=datetime.combine(day, datetime.min.time()).replace(hour=11),
                              description="A live session of the demo cohort.",
                              join_url="https://zoom.us/j/0000000000")
        row = existing.get(f"demo-{number}") or LiveSession(cohort_id=cohort.id, key=f"demo-{number}", sequence=0)
        _apply_session(row, session)
        db.session.add(row)
    db.session.commit()
    return cohort
