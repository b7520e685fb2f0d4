"""Where every page inside a course starts: the course, its current version and the learner's enrolment with its
cohort, read in one query, and the per-object check (enrolled learners and course staff only).

Pages read them as plain values (lms.models.plain); a use case that changes them loads the entities
(study_context_to_edit).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import contains_eager

from lms import authz
from lms.extensions import db
from lms.models import (
    Cohort,
    Course,
    CourseVersion,
    Enrolment,
    EnrolmentStatus,
    SignedInUser,
    User,
    constants_in_sql,
)
from lms.models.plain import CohortRow, CourseRow, EnrolmentRow, VersionRow, plain_columns, plain_values, with_cohort
from lms.services import cohorts
from lms.services.errors import NotAllowed, NotFound


def study_context(user: User | SignedInUser, slug: str) -> tuple[CourseRow, VersionRow, EnrolmentRow | None]:
    """The course, its published version and the learner's active enrolment with its cohort (for the cohort-window
    check), after the per-object check (require_study_access). One query: every page inside a course starts here, so
    it is the floor of their cost. Read-only values: a use case that changes the enrolment loads it with
    study_context_to_edit, or writes with an UPDATE statement."""
    course, version, enrolment = study_values(slug, user.id)
    return course, version, require_study_access(user, course, enrolment)


def study_values(slug: str, user_id: int | None) -> tuple[CourseRow, VersionRow, EnrolmentRow | None]:
    """study_context's values without the access check, for the course page (public; ``user_id`` None for a
    visitor)."""
    # On the session's connection, without the ORM: this query runs on every page of a course.
    row = db.session.connection().execute(_STUDY_ROWS, {"slug": slug, "user_id": user_id}).first()
    if row is None:
        raise NotFound(_("There is no such course."))
    course, version, enrolment, cohort = plain_values(row, CourseRow, VersionRow, EnrolmentRow, CohortRow)
    return course, version, with_cohort(enrolment, cohort)


def _study_join(statement: Select) -> Select:
    """The course's current version, and the learner's (``user_id``) active enrolment with its cohort, if any."""
    return (
        statement.select_from(Course)
        .join(CourseVersion, (CourseVersion.course_id == Course.id) & CourseVersion.is_current)
        .outerjoin(Enrolment, (Enrolment.course_id == Course.id) & (Enrolment.user_id == bindparam("user_id"))
                   & (Enrolment.status == EnrolmentStatus.ACTIVE))
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Course.slug == bindparam("slug"))
    )


_STUDY_ROWS = constants_in_sql(_study_join(select(
    *plain_columns(CourseRow, Course), *plain_columns(VersionRow, CourseVersion),
    *plain_columns(EnrolmentRow, Enrolment), *plain_columns(CohortRow, Cohort))))
_STUDY_ENTITIES = constants_in_sql(_study_join(select(Course, CourseVersion, Enrolment, Cohort))
                                   .options(contains_eager(Enrolment.cohort)))


def study_context_to_edit(user: User | SignedInUser, slug: str) -> tuple[Course, CourseVersion, Enrolment | None]:
    """study_context's course, version and enrolment as entities, for a use case that changes them (completing a
    lesson, choosing a language); the enrolment's cohort stays in the session (Enrolment.cohort) for the window."""
    row = db.session.execute(_STUDY_ENTITIES, {"slug": slug, "user_id": user.id}).first()
    if row is None:
        raise NotFound(_("There is no such course."))
    course, version, enrolment, _cohort = row
    return course, version, require_study_access(user, course, enrolment)


def require_study_access(user: User | SignedInUser, course: Course | CourseRow,
                         enrolment: Enrolment | EnrolmentRow | None) -> Enrolment | EnrolmentRow | None:
    """The per-object check for everything inside a course: enrolled learners and course staff only. ``enrolment`` is
    the learner's active enrolment in ``course`` (or None)."""
    if enrolment is None and not authz.is_staff(user):
        raise NotAllowed(_("Enrol in this course to study it."))
    cohorts.require_cohort_open(user, enrolment)  # before its cohort starts, a learner is told when it opens
    return enrolment
