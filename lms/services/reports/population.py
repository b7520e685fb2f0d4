"""The learners a report counts (the course's active enrolments, optionally of one cohort) and their progress,
read in bulk: a fixed number of queries whatever the number of learners."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, or_, select, update

from lms import authz
from lms.core.progress import CourseProgress
from lms.extensions import db
from lms.models import (
    Enrolment,
    EnrolmentStatus,
    LessonProgress,
    QuizAttempt,
    User,
)
from lms.services import catalog, completion
from lms.services.errors import NotAllowed
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


def refresh_stored_progress(actor: User | None, slug: str) -> int:
    """Recompute every active learner's stored percentage (what the learner table sorts by) with the progress rule:
    after the upgrade that added it, after attendance was marked, or after a new version was published; learners who
    meet the completion rule without a recorded completion or certificate get them. Returns the number of enrolments
    whose percentage changed. ``actor`` None: the operator at the command line."""
    if actor is not None and not authz.is_admin(actor):
        raise NotAllowed(_("Only administrators can recompute stored progress."))
    course, version = catalog.published_version(slug)
    scope = ReportScope(course, version, catalog.version_outline(version), (), None)
    stored = dict(core_rows(
        select(Enrolment.user_id, Enrolment.progress_percent).where(*population_conditions(scope))).all())
    progress = progress_by_user(scope, None)
    changed = [{"uid": user_id, "percent": learner.percent} for user_id, learner in progress.items()
               if stored.get(user_id) != learner.percent]
    if changed:
        db.session.connection().execute(
            update(Enrolment).where(Enrolment.course_id == course.id, Enrolment.user_id == bindparam("uid"))
            .values(progress_percent=bindparam("percent")), changed)
    # Learners who meet the rule get what it gives (their completion and certificate), if something ever missed them.
    completion.reevaluate(course, [user_id for user_id, learner in progress.items() if learner.complete])
    db.session.commit()
    return len(changed)
