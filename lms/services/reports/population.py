"""The learners a report counts (the course's active enrolments, optionally of one cohort) and their progress,
read in bulk: a fixed number of queries whatever the number of learners."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import bindparam, exists, func, or_, select, update

from lms import authz
from lms.core.progress import CourseProgress, course_progress
from lms.extensions import db
from lms.models import (
    Attendance,
    Cohort,
    Enrolment,
    LessonProgress,
    LiveSession,
    QuizAttempt,
    User,
)
from lms.services import catalog
from lms.services.errors import NotAllowed
from lms.services.reports.scope import ReportScope


def population_conditions(scope: ReportScope) -> list:
    conditions = [Enrolment.course_id == scope.course.id, Enrolment.status == "active"]
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
    course_id = scope.course.id
    completed: dict[int, set[str]] = defaultdict(set)
    for user_id, lesson_key in core_rows(
        select(LessonProgress.user_id, LessonProgress.lesson_key)
        .where(LessonProgress.course_id == course_id, LessonProgress.completed_at.is_not(None),
               _restrict(LessonProgress.user_id, scope, user_ids))
    ):
        completed[user_id].add(lesson_key)
    current_quizzes = {m.quiz_key: m.quiz_hash for m in scope.outline.modules if m.quiz_key}
    passed: dict[int, set[str]] = defaultdict(set)
    if current_quizzes:
        for user_id, quiz_key, quiz_hash in core_rows(
            select(QuizAttempt.user_id, QuizAttempt.quiz_key, QuizAttempt.quiz_hash).distinct()
            .where(QuizAttempt.course_id == course_id, QuizAttempt.passed.is_(True),
                   QuizAttempt.quiz_key.in_(list(current_quizzes)),
                   _restrict(QuizAttempt.user_id, scope, user_ids))
        ):
            if current_quizzes.get(quiz_key) == quiz_hash:
                passed[user_id].add(quiz_key)
    attended = attendance_counts(scope, user_ids)
    ids = user_ids if user_ids is not None else core_rows(population_user_ids(scope)).scalars().all()
    outline = scope.outline.outline
    empty: frozenset[str] = frozenset()
    # Learners mostly go through a course in order, so many share the same state: the rule runs once per state.
    memo: dict[tuple[frozenset[str], frozenset[str], int], CourseProgress] = {}
    result = {}
    for uid in ids:
        key = (frozenset(completed.get(uid, empty)), frozenset(passed.get(uid, empty)), attended.get(uid, 0))
        progress = memo.get(key)
        if progress is None:
            progress = memo[key] = course_progress(outline, key[0], key[1], key[2])
        result[uid] = progress
    return result


def core_rows(statement):
    """Run a column query on the session's connection, without the ORM's row processing (bulk reads)."""
    return db.session.connection().execute(statement)


def attendance_counts(scope: ReportScope, user_ids: Sequence[int] | None) -> dict[int, int]:
    return dict(core_rows(
        select(Attendance.user_id, func.count(func.distinct(Attendance.session_id)))
        .join(LiveSession, LiveSession.id == Attendance.session_id)
        .join(Cohort, Cohort.id == LiveSession.cohort_id)
        .where(Cohort.course_id == scope.course.id, _restrict(Attendance.user_id, scope, user_ids))
        .group_by(Attendance.user_id)
    ).all())


def refresh_stored_progress(actor: User | None, slug: str) -> int:
    """Recompute every active learner's stored percentage (what the learner table sorts by) with the progress rule:
    after the upgrade that added it, after attendance was marked, or after a new version was published. Returns the
    number of enrolments changed. ``actor`` None: the operator at the command line."""
    if actor is not None and not authz.is_admin(actor):
        raise NotAllowed("Only administrators can recompute stored progress.")
    course, version = catalog.published_version(slug)
    scope = ReportScope(course, version, catalog.version_outline(version), (), None)
    stored = dict(core_rows(
        select(Enrolment.user_id, Enrolment.progress_percent).where(*population_conditions(scope))).all())
    changed = [{"uid": user_id, "percent": progress.percent}
               for user_id, progress in progress_by_user(scope, None).items()
               if stored.get(user_id) != progress.percent]
    if changed:
        db.session.connection().execute(
            update(Enrolment).where(Enrolment.course_id == course.id, Enrolment.user_id == bindparam("uid"))
            .values(progress_percent=bindparam("percent")), changed)
    db.session.commit()
    return len(changed)
