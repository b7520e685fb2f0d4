"""Who may read which course's reports, and the course, version, outline and cohorts a report is about."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms import authz
from lms.extensions import db
from lms.models import (
    Cohort,
    Course,
    CourseVersion,
    Enrolment,
    EnrolmentStatus,
    User,
)
from lms.services import catalog, staffing
from lms.services.catalog import VersionOutline
from lms.services.errors import NotAllowed, NotFound


def require_staff(actor: User | None) -> None:
    if not authz.is_staff(actor):
        raise NotAllowed(_("Only programme staff can read progress reports."))


@dataclass(frozen=True)
class ReportScope:
    """The course a report is about, its current version's outline, its cohorts and the cohort picked (if any)."""

    course: Course
    version: CourseVersion
    outline: VersionOutline
    cohorts: tuple[Cohort, ...]
    cohort: Cohort | None

    @property
    def quizzes(self) -> list[tuple[str, str]]:
        return [(m.quiz_key, m.quiz_title or m.quiz_key) for m in self.outline.modules if m.quiz_key]

    @property
    def awards_certificates(self) -> bool:
        return bool(((self.version.manifest or {}).get("certificate") or {}).get("enabled"))


def report_scope(actor: User | None, slug: str, cohort_id: int | None = None) -> ReportScope:
    """The course, if the actor may read its reports (NotAllowed otherwise). A fixed number of queries."""
    require_staff(actor)
    course, version = catalog.published_version(slug)
    if not authz.can_view_reports(actor, course.id, staffing.teaching_course_ids(actor)):
        raise NotAllowed(_("You can read the reports of the courses you teach only."))
    outline = catalog.version_outline(version)
    cohorts = tuple(db.session.execute(
        select(Cohort).where(Cohort.course_id == course.id).order_by(Cohort.starts_on.desc(), Cohort.id)
    ).scalars())
    cohort = None
    if cohort_id is not None:
        cohort = next((c for c in cohorts if c.id == cohort_id), None)
        if cohort is None:
            raise NotFound(_("This course has no such cohort."))
    return ReportScope(course, version, outline, cohorts, cohort)


@dataclass(frozen=True)
class ReportableCourse:
    slug: str
    title: str
    enrolled: int


def reportable_courses(actor: User | None) -> list[ReportableCourse]:
    """The published courses whose reports the actor may read, with their number of active learners."""
    require_staff(actor)
    enrolled = (select(func.count()).select_from(Enrolment)
                .where(Enrolment.course_id == Course.id, Enrolment.status == EnrolmentStatus.ACTIVE).scalar_subquery())
    query = (select(Course.slug, CourseVersion.title, enrolled)
             .join(CourseVersion, (CourseVersion.course_id == Course.id) & CourseVersion.is_current)
             .where(staffing.staff_courses_condition(actor))
             .order_by(CourseVersion.title))
    return [ReportableCourse(*row) for row in db.session.execute(query).all()]
