"""Cohorts (runs of a course): created by a package on publish or by staff, their seats, and the cohort window that
bounds an enrolled learner's study.

Their live sessions are lms.services.live_sessions'; what a package's cohorts become on publish is
lms.services.cohort_sync's; the pages that show a cohort with its sessions are lms.services.cohort_pages'. The time
rules are lms.core.schedule's; who may do what is lms.authz's.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms import authz
from lms.core import clock, schedule
from lms.core.admissions import Status
from lms.core.packages import EnrolmentMode
from lms.extensions import db
from lms.models import Application, Cohort, Course, CourseVersion, Enrolment, EnrolmentStatus, LiveSession, User
from lms.models.plain import EnrolmentRow
from lms.services import audit, catalog, course_languages, wording
from lms.services.errors import Conflict, Invalid, NotAllowed, NotFound, found

log = logging.getLogger(__name__)





def cohort_times(cohort: Cohort) -> schedule.CohortTimes:
    return schedule.CohortTimes(timezone=cohort.timezone, starts_on=cohort.starts_on, ends_on=cohort.ends_on,
                                applications_open_at=cohort.applications_open_at,
                                application_deadline_at=cohort.application_deadline_at, name=cohort.name)


def load_cohort(cohort_id: int) -> Cohort:
    """The cohort, for a service that checks the actor's rights itself (and for the operator's CLI)."""
    return found(db.session.get(Cohort, cohort_id), _("There is no such cohort."))


def get_cohort(actor: User | None, cohort_id: int) -> Cohort:
    """The cohort as the actor may see it (visible_cohort's rule), NotFound otherwise: what views load."""
    return visible_cohort(actor, cohort_id)[0]


def course_of(cohort: Cohort) -> tuple[Course, CourseVersion | None]:
    row = db.session.execute(
        select(Course, CourseVersion).outerjoin(CourseVersion, (CourseVersion.course_id == Course.id)
                                                & CourseVersion.is_current)
        .where(Course.id == cohort.course_id)
    ).one()
    return row[0], row[1]


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
        raise NotAllowed(_("Only programme staff can list cohorts."))
    session_count = (select(func.count()).select_from(LiveSession)
                     .where(LiveSession.cohort_id == Cohort.id).scalar_subquery())
    enrolled_count = (select(func.count()).select_from(Enrolment)
                      .where(Enrolment.cohort_id == Cohort.id, Enrolment.status == EnrolmentStatus.ACTIVE)
                      .scalar_subquery())
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
class CatalogueCard:
    """A course in the catalogue with its next run: the first cohort that has not ended, and its seats left."""

    entry: catalog.CatalogueEntry
    next_cohort: Cohort | None
    seats_left: int | None  # None: no limit (or no cohort)
    name: course_languages.CourseName  # title and summary in the reader's language when the course has it


def catalogue_cards(today: date | None = None) -> list[CatalogueCard]:
    """Every published course with its next cohort, in three queries whatever the number of courses."""
    entries = catalog.published_courses_with_counts()
    today = today or clock.now().date()
    upcoming = db.session.execute(
        select(Cohort).where(Cohort.course_id.in_([e.course.id for e in entries]), Cohort.ends_on >= today)
        .order_by(Cohort.starts_on, Cohort.id)).scalars().all()
    first: dict[int, Cohort] = {}
    for cohort in upcoming:
        first.setdefault(cohort.course_id, cohort)
    taken = taken_seats_of([c for c in first.values() if c.capacity])
    language = wording.current_language()
    return [CatalogueCard(entry, first.get(entry.course.id),
                          schedule.seats_left(first[entry.course.id].capacity, taken[first[entry.course.id].id])
                          if entry.course.id in first and first[entry.course.id].capacity else None,
                          course_languages.course_name(entry.version, language))
            for entry in entries]


def enrolled_cohort_ids(user: User | None) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.execute(
        select(Enrolment.cohort_id).where(Enrolment.user_id == user.id, Enrolment.status == EnrolmentStatus.ACTIVE,
                                          Enrolment.cohort_id.is_not(None))
    ).scalars())


def taken_seats(cohort: Cohort) -> int:
    """Seats taken: accepted applications for application cohorts, active members for the others."""
    return taken_seats_of([cohort])[cohort.id]


def taken_seats_of(cohorts: list[Cohort]) -> dict[int, int]:
    """The same for several cohorts, in at most two queries."""
    by_applications = [c.id for c in cohorts if c.enrolment_mode == EnrolmentMode.APPLICATION]
    by_members = [c.id for c in cohorts if c.enrolment_mode != EnrolmentMode.APPLICATION]
    taken = dict.fromkeys((c.id for c in cohorts), 0)
    if by_applications:
        taken.update({cohort_id: count for cohort_id, count in db.session.execute(
            select(Application.cohort_id, func.count()).where(
                Application.cohort_id.in_(by_applications), Application.status == Status.ACCEPTED)
            .group_by(Application.cohort_id))})
    if by_members:
        taken.update({cohort_id: count for cohort_id, count in db.session.execute(
            select(Enrolment.cohort_id, func.count()).where(
                Enrolment.cohort_id.in_(by_members), Enrolment.status == EnrolmentStatus.ACTIVE)
            .group_by(Enrolment.cohort_id))})
    return taken


def visible_cohort(viewer: User | None, cohort_id: int) -> tuple[Cohort, Course, CourseVersion | None]:
    """A cohort (and its course) as the viewer may see it: public once its course is published, to staff always.
    The joining links have their own rule (authz.can_see_join_link)."""
    cohort = load_cohort(cohort_id)
    course, version = course_of(cohort)
    if version is None and not authz.is_staff(viewer):
        raise NotFound(_("There is no such cohort."))
    return cohort, course, version


def study_access_for(enrolment: Enrolment | EnrolmentRow | None,
                     now: datetime | None = None) -> schedule.StudyAccess | None:
    """What the learner's cohort allows at ``now``; None when the enrolment is not in a cohort (no window)."""
    if enrolment is None or enrolment.cohort_id is None:
        return None
    # A plain enrolment carries the cohort read with it; an entity's is in the session when the page loaded it.
    cohort = enrolment.cohort if isinstance(enrolment, EnrolmentRow) else db.session.get(Cohort, enrolment.cohort_id)
    if cohort is None:
        return None
    access = schedule.study_access(cohort_times(cohort), now or clock.now(),
                                   allow_late_attempts=cohort.allow_late_attempts)
    return replace(access, message=wording.word(access.message)) if access.message else access


def require_cohort_open(user: authz.Actor, enrolment: Enrolment | EnrolmentRow | None) -> None:
    """Before the cohort starts, its learners see when it opens instead of the lessons (staff are never held)."""
    if authz.is_staff(user):
        return
    access = study_access_for(enrolment)
    if access is not None and not access.can_read:
        raise NotAllowed(access.message)


def attempt_refusal(user: authz.Actor, enrolment: Enrolment | EnrolmentRow | None) -> str | None:
    """Why the learner may not start a quiz attempt now (outside the cohort's window); None when they may."""
    if authz.is_staff(user):
        return None
    access = study_access_for(enrolment)
    if access is not None and not access.can_attempt:
        return access.message
    return None


def open_cohort_for(course_id: int, now: datetime | None = None) -> Cohort | None:
    """The cohort an open enrolment joins: an open-mode cohort that has not ended and takes people now (the one
    starting first)."""
    now = now or clock.now()
    candidates = db.session.execute(
        select(Cohort).where(Cohort.course_id == course_id, Cohort.enrolment_mode == EnrolmentMode.OPEN)
        .order_by(Cohort.starts_on, Cohort.id)
    ).scalars()
    for cohort in candidates:
        if schedule.takes_open_enrolments(cohort_times(cohort), now):
            return cohort
    return None


def lock_cohort(cohort_id: int) -> Cohort:
    """Load the cohort with a row lock (SELECT … FOR UPDATE on PostgreSQL), so seat counts are decided one at a time.
    The lock is held until the transaction ends."""
    cohort = db.session.execute(
        select(Cohort).where(Cohort.id == cohort_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if cohort is None:
        raise NotFound(_("There is no such cohort."))
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
        raise Conflict(_("%(cohort)s is full. Please contact the programme staff.", cohort=cohort.name))
    return cohort.id


@dataclass(frozen=True)
class CohortData:
    name: str
    timezone: str
    starts_on: date
    ends_on: date
    applications_open: datetime | None = None  # naive: local time in ``timezone``
    application_deadline: datetime | None = None
    capacity: int | None = None
    enrolment_mode: str = EnrolmentMode.APPLICATION
    allow_late_attempts: bool = False
    key: str | None = None
    premoderate_first_posts: bool = False


def require_manager(actor: User | None) -> None:
    if actor is not None and not authz.can_manage_cohorts(actor):
        raise NotAllowed(_("Only administrators can create or change cohorts."))


def to_utc(local: datetime | None, tz_name: str, field: str) -> datetime | None:
    if local is None:
        return None
    try:
        return schedule.local_to_utc(local, tz_name)
    except schedule.ScheduleError as error:
        raise Invalid(wording.word(error.phrase), field=field) from None


def apply_cohort_data(cohort: Cohort, data: CohortData) -> None:
    name = " ".join((data.name or "").split())
    if not name:
        raise Invalid(_("Give the cohort a name."), field="name")
    try:
        schedule.zone(data.timezone)
    except schedule.UnknownTimeZone as error:
        raise Invalid(str(error), field="timezone") from None
    if data.ends_on < data.starts_on:
        raise Invalid(_("The cohort cannot end before it starts."), field="ends_on")
    if data.capacity is not None and data.capacity < 1:
        raise Invalid(_("Capacity must be at least 1, or empty for no limit."), field="capacity")
    if data.enrolment_mode not in set(EnrolmentMode):
        raise Invalid(_("Enrolment mode must be one of %(modes)s.", modes=", ".join(EnrolmentMode)),
                      field="enrolment_mode")
    opens = to_utc(data.applications_open, data.timezone, "applications_open")
    deadline = to_utc(data.application_deadline, data.timezone, "application_deadline")
    if opens and deadline and deadline <= opens:
        raise Invalid(_("The application deadline must come after applications open."), field="application_deadline")
    cohort.name, cohort.timezone = name, data.timezone
    cohort.starts_on, cohort.ends_on = data.starts_on, data.ends_on
    cohort.applications_open_at, cohort.application_deadline_at = opens, deadline
    cohort.capacity, cohort.enrolment_mode = data.capacity, data.enrolment_mode
    cohort.allow_late_attempts = bool(data.allow_late_attempts)
    cohort.premoderate_first_posts = bool(data.premoderate_first_posts)


def create_cohort(actor: User | None, course_slug: str, data: CohortData) -> Cohort:
    require_manager(actor)
    course = catalog.get_course(course_slug)
    key = data.key or f"{data.starts_on:%Y-%m}-{secrets.token_hex(3)}"
    cohort = Cohort(course_id=course.id, key=key)
    apply_cohort_data(cohort, data)
    db.session.add(cohort)
    flush_unique(f"Course '{course_slug}' already has a cohort with the key '{key}'.")
    audit.record(actor, "cohort.create", "cohort", cohort.id,
                 {"course": course_slug, **audit.fields_of(cohort_data(cohort))})
    db.session.commit()
    log.info("cohort %s (%s) created for %s", cohort.id, cohort.name, course_slug)
    return cohort


def update_cohort(actor: User | None, cohort_id: int, data: CohortData) -> Cohort:
    require_manager(actor)
    cohort = load_cohort(cohort_id)
    record_edit(actor, "cohort.update", "cohort", cohort, cohort_data, lambda: apply_cohort_data(cohort, data),
                released=lambda: (cohort,))
    db.session.commit()
    return cohort


def record_edit(actor: User | None, action: str, kind: str, row: Cohort | LiveSession, read: Callable[[Any], Any],
                edit: Callable[[], None], released: Callable[[], Iterable[Cohort | LiveSession]]) -> None:
    """Make an administrator's ``edit`` to a cohort or a live session: when it changed what ``read`` shows, audit
    the changes and take the rows ``released`` gives away from their package (release_from_package). The caller
    commits."""
    before = read(row)
    edit()
    if changed := audit.changes(before, read(row)):
        audit.record(actor, action, kind, row.id, changed)
        release_from_package(*released())


def release_from_package(*rows: Cohort | LiveSession) -> None:
    """A manual change makes a cohort (or session) the administrators': packages may no longer change it
    (lms.services.cohort_sync)."""
    for row in rows:
        row.package_values = None


def cohort_data(cohort: Cohort, **changes: Any) -> CohortData:
    """The cohort's current values as CohortData (local times in its zone), with ``changes`` applied."""
    def local(instant: datetime | None) -> datetime | None:
        return schedule.utc_to_local(instant, cohort.timezone).replace(tzinfo=None) if instant else None

    values = {"name": cohort.name, "timezone": cohort.timezone, "starts_on": cohort.starts_on,
              "ends_on": cohort.ends_on, "applications_open": local(cohort.applications_open_at),
              "application_deadline": local(cohort.application_deadline_at), "capacity": cohort.capacity,
              "enrolment_mode": cohort.enrolment_mode, "allow_late_attempts": cohort.allow_late_attempts,
              "key": cohort.key, "premoderate_first_posts": bool(cohort.premoderate_first_posts)}
    values.update({name: value for name, value in changes.items()})
    return CohortData(**values)


def flush_unique(message: str) -> None:
    from sqlalchemy.exc import IntegrityError

    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(message) from None
