"""The learners a report counts (the course's active enrolments, optionally of one cohort) and their progress,
read in bulk: a fixed number of queries whatever the number of learners."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, or_, select

from lms.core.progress import CourseProgress
from lms.extensions import db
from lms.models import (
    Enrolment,
    EnrolmentStatus,
    LessonProgress,
    QuizAttempt,
)
from lms.services import completion
from lms.services.reports.scope import ReportScope


def population_conditions(scope: ReportScope) -> list:
    conditions = [Enrolment.course_id == scope.course.id, Enrolment.status == EnrolmentStatus.ACTIVE]
    if scope.cohort is not None:
        conditions.append(Enrolment.cohort_id == scope.cohort.id)
    return conditions


def population_user_ids(scope: ReportScope):
    return select(Enrolment.user_id).where(*population_conditions(scope))


def started_condition(course_id: int):
    """SQL: the enrolment's learner opened a lesson or submitted a quiz attempt."""
    return or_(
        exists().where(LessonProgress.user_id == Enrolment.user_id, LessonProgress.course_id == course_id),
        exists().where(QuizAttempt.user_id == Enrolment.user_id, QuizAttempt.course_id == course_id,
                       QuizAttempt.submitted_at.is_not(None)),
    )


def _restrict(column, scope: ReportScope, user_ids: Sequence[int] | None):
    return column.in_(population_user_ids(scope)) if user_ids is None else column.in_(list(user_ids))


def progress_by_user(scope: ReportScope, user_ids: Sequence[int] | None) -> dict[int, CourseProgress]:
    """The rule's progress of every learner given (None: the whole population), in three queries."""
    ids = user_ids if user_ids is not None else core_rows(population_user_ids(scope)).scalars().all()
    return completion.progress_by_learner(scope.course.id, scope.outline,
                                          lambda column: _restrict(column, scope, user_ids), ids)


def core_rows(statement):
    """Run a column query on the session's connection, without the ORM's row processing (bulk reads)."""
    return db.session.connection().execute(statement)


def attendance_counts(scope: ReportScope, user_ids: Sequence[int] | None) -> dict[int, int]:
    return completion.sessions_attended(scope.course.id, lambda column: _restrict(column, scope, user_ids))
