"""Joining and leaving a course: enrolment in an open course, the enrolment another use case makes (an accepted
application), leaving with nothing deleted, and rejoining the cohort an accepted applicant left.

What the learner does once enrolled (lessons, progress, the dashboard) is lms.services.learning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from lms import authz
from lms.core import clock, schedule
from lms.core.admissions import Status
from lms.core.packages import EnrolmentMode
from lms.extensions import db
from lms.models import (
    Application,
    Cohort,
    Course,
    CourseVersion,
    Enrolment,
    EnrolmentStatus,
    User,
    constants_in_sql,
)
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import catalog, cohorts, completion
from lms.services.errors import Conflict, NotAllowed

ENROLMENT_CLOSED = {
    EnrolmentMode.APPLICATION: _l("This course takes participants by application. Apply to a cohort to join it."),
    EnrolmentMode.INVITE: _l("This course is by invitation only. Contact the programme staff to be invited."),
}


def active_enrolment(user: User, course_id: int) -> Enrolment | None:
    return db.session.execute(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course_id,
                                Enrolment.status == EnrolmentStatus.ACTIVE)
    ).scalar_one_or_none()


def pending_applications(user: User, course_id: int | None = None) -> list[tuple[Application, Cohort, Course]]:
    """The learner's applications still waiting for a decision (submitted or on the waiting list), newest first;
    those to one course's cohorts when ``course_id`` is given."""
    if course_id is None:
        rows = db.session.execute(_PENDING_APPLICATIONS, {"user_id": user.id})
    else:
        rows = db.session.execute(_PENDING_APPLICATIONS_TO_COURSE, {"user_id": user.id, "course_id": course_id})
    return [tuple(row) for row in rows]


# Built once (the dashboard and the course page run them on every view; building a statement costs more than running
# it).
_PENDING_APPLICATIONS = constants_in_sql(
    select(Application, Cohort, Course).join(Cohort, Cohort.id == Application.cohort_id)
    .join(Course, Course.id == Cohort.course_id)
    .where(Application.user_id == bindparam("user_id"),
           Application.status.in_([Status.SUBMITTED.value, Status.WAITLISTED.value]))
    .order_by(Application.submitted_at.desc())
)
_PENDING_APPLICATIONS_TO_COURSE = _PENDING_APPLICATIONS.where(Cohort.course_id == bindparam("course_id"))


def rejoinable_cohort(user: User, course_id: int, now: datetime | None = None) -> Cohort | None:
    """The cohort of this course that the learner was accepted into, left, and may rejoin: it has not ended. The
    accepted application keeps the seat (seats of application cohorts are accepted applications), so rejoining
    never takes anyone else's place."""
    now = now or clock.now()
    for cohort in db.session.execute(
        select(Cohort).join(Application, Application.cohort_id == Cohort.id)
        .where(Application.user_id == user.id, Application.status == Status.ACCEPTED.value,
               Cohort.course_id == course_id)
        .order_by(Cohort.starts_on.desc())
    ).scalars():
        if schedule.cohort_phase(cohorts.cohort_times(cohort), now) is not schedule.CohortPhase.ENDED:
            return cohort
    return None


def enrol(user: User, slug: str) -> Enrolment:
    """Join an open course (staff may join any published course). Commits."""
    course, version = catalog.published_version(slug)
    if version.enrolment_mode != EnrolmentMode.OPEN and not authz.is_staff(user):
        raise NotAllowed(ENROLMENT_CLOSED.get(version.enrolment_mode) or _("This course is not open for enrolment."))
    existing = active_enrolment(user, course.id)
    if existing is not None:
        return existing
    # An open course that runs in cohorts: joining puts the learner in its open cohort (a seat, under a row lock).
    cohort_id = cohorts.claim_open_seat(course.id) if version.enrolment_mode == EnrolmentMode.OPEN else None
    enrolment = enrol_user(user, course, cohort_id=cohort_id)
    db.session.commit()
    return enrolment


def enrol_user(user: User, course: Course, *, cohort_id: int | None = None) -> Enrolment:
    """Enrol, or re-activate a withdrawn enrolment with its history. Safe to repeat and to race. With ``cohort_id``
    the enrolment is (also) put in that cohort. The caller commits."""
    insert_ignoring_conflicts(db.session, Enrolment, {"user_id": user.id, "course_id": course.id,
                                                      "status": EnrolmentStatus.ACTIVE, "enrolled_at": clock.now(),
                                                      "cohort_id": cohort_id}, ["user_id", "course_id"])
    db.session.execute(
        update(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id,
                                Enrolment.status == EnrolmentStatus.WITHDRAWN)
        .values(status=EnrolmentStatus.ACTIVE, withdrawn_at=None)
    )
    if cohort_id is not None:
        db.session.execute(update(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
                           .values(cohort_id=cohort_id))
    completion.reevaluate(course, [user.id])  # attendance marked while away, or a version published, may complete it
    return active_enrolment(user, course.id)


@dataclass(frozen=True)
class LeavingTerms:
    """What leaving a course means for this learner, said before they confirm."""

    course: Course
    version: CourseVersion
    cohort: Cohort | None
    keeps_place: bool  # an accepted applicant: the place stays theirs and they may rejoin until the cohort ends
    cohort_ends: date | None


def leaving_terms(user: User, slug: str) -> LeavingTerms:
    course, version = catalog.published_version(slug)
    enrolment = active_enrolment(user, course.id)
    if enrolment is None:
        raise Conflict(_("You are not enrolled in this course."))
    cohort = db.session.get(Cohort, enrolment.cohort_id) if enrolment.cohort_id else None
    keeps_place = cohort is not None and cohort.enrolment_mode == "application"
    return LeavingTerms(course, version, cohort, keeps_place, cohort.ends_on if cohort else None)


def unenrol(user: User, slug: str) -> None:
    """Leave a course. Nothing the learner did is deleted: enrolling (or rejoining) again brings it all back. An
    accepted applicant keeps the accepted application, so the place stays theirs (see rejoinable_cohort). Commits."""
    withdraw_enrolment(user, catalog.get_course(slug))
    db.session.commit()


def withdraw_enrolment(user: User, course: Course) -> None:
    """Mark the learner's active enrolment withdrawn. The caller commits."""
    db.session.execute(
        update(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id,
                                Enrolment.status == EnrolmentStatus.ACTIVE)
        .values(status=EnrolmentStatus.WITHDRAWN, withdrawn_at=clock.now())
    )


def rejoin(user: User, slug: str) -> Enrolment:
    """Come back to the cohort the learner was accepted into and left, with everything they had done."""
    course = catalog.get_course(slug)
    existing = active_enrolment(user, course.id)
    if existing is not None:
        return existing
    cohort = rejoinable_cohort(user, course.id)
    if cohort is None:
        raise NotAllowed(_("There is no cohort of this course that you can rejoin. Apply to a cohort to join it."))
    enrolment = enrol_user(user, course, cohort_id=cohort.id)
    db.session.commit()  # the use case's one commit (enrol_user leaves it to its caller)
    return enrolment
