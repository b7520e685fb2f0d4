"""The completion rule, kept true: whatever changes what a learner has done, the rule is evaluated again in the same
transaction, and a learner who meets it holds a certificate.

The rule itself (lms.core.progress.course_progress) says whether a course is complete. This module applies it:
``record_progress`` is the one function that acts on the result (the stored percentage, the moment of completion,
the certificate), and every event that can change completion ends in it:

- a lesson completed, a quiz submitted (lms.services.learning, lms.services.quizzes), for the learner;
- attendance marked, unmarked or imported from a Zoom report (lms.services.attendance), for the people it touched;
- a new version published, whose carry-over may complete or reopen a course (lms.services.publishing), for every
  active learner of the course;
- an enrolment (re)activated, on joining or rejoining a cohort (lms.services.enrolments.enrol_user);
- a reflection answered, removed by its author, hidden or restored by the staff (lms.services.reflections,
  discussion_posts, discussion_moderation), for its author.

Completion is reached once: the first time the rule is met, ``Enrolment.completed_at`` is set and the certificate is
issued; a later version that asks for more does not take either back (a certificate states what was true when it was
issued). Staff decisions stand: an administrator may issue a certificate by hand to someone who did not meet the
rule, and a certificate an administrator revoked is not issued again by the rule (the administrator issues a new one
by hand). Nothing else issues certificates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, bindparam, func, select, update

from lms import authz
from lms.core import clock
from lms.core.progress import CourseProgress, course_progress
from lms.extensions import db
from lms.models import (
    Attendance,
    Cohort,
    Course,
    CourseVersion,
    DiscussionPost,
    DiscussionThread,
    Enrolment,
    EnrolmentStatus,
    LessonProgress,
    LiveSession,
    ProgressEvent,
    QuizAttempt,
    User,
)
from lms.services import catalog, certificates
from lms.services.catalog import VersionOutline
from lms.services.errors import NotAllowed
from lms.services.reflection_contributions import contributions_select

# Which learners a bulk read is about: a column (a user id) -> the condition that selects them.
Restriction = Callable[[ColumnElement[int]], ColumnElement[bool]]


def record_progress(learner: User, course: Course, version: CourseVersion, enrolment: Enrolment,
                    progress: CourseProgress, *, certified: bool | None = None) -> bool:
    """Act on what the rule says of one learner's ``progress`` in ``course`` (its current ``version``): keep the
    stored percentage, record the moment the rule is first met, and issue the certificate of a complete course.
    ``certified``: whether the learner already holds a certificate for the course, when the caller knows (None: look
    it up). Part of the caller's transaction. True when the course became complete now."""
    if enrolment.progress_percent != progress.percent:
        enrolment.progress_percent = progress.percent
    user_id = learner.id
    became_complete = False
    if progress.complete and enrolment.completed_at is None:
        now = clock.now()
        became_complete = db.session.execute(
            update(Enrolment).where(Enrolment.id == enrolment.id, Enrolment.completed_at.is_(None))
            .values(completed_at=now).execution_options(synchronize_session=False)
        ).rowcount == 1
        if became_complete:
            enrolment.completed_at = now
            db.session.add(ProgressEvent(user_id=user_id, course_id=course.id, version_id=version.id,
                                         kind="course_completed", at=now))
    if enrolment.completed_at is not None and not certified:
        certificates.issue_on_completion(learner, course, version, enrolment.completed_at)
    return became_complete


def reevaluate(course: Course, user_ids: Collection[int]) -> None:
    """Apply the rule again to these learners' active enrolments in ``course`` (after attendance changed, or a
    version was published): a fixed number of queries, whatever the number of learners."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    version = db.session.execute(
        select(CourseVersion).where(CourseVersion.course_id == course.id, CourseVersion.is_current)
    ).scalar_one_or_none()
    if version is None:
        return
    enrolments = db.session.execute(
        select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.user_id.in_(ids),
                                Enrolment.status == EnrolmentStatus.ACTIVE)
    ).scalars().all()
    if not enrolments:
        return
    learner_ids = [enrolment.user_id for enrolment in enrolments]
    progress = progress_by_learner(course.id, catalog.version_outline(version),
                                   lambda column: column.in_(learner_ids), learner_ids)
    complete = [e.user_id for e in enrolments if e.completed_at is not None or progress[e.user_id].complete]
    certified = certificates.certified_learners(course.id, complete) if complete else set()
    learners = {user.id: user for user in db.session.execute(select(User).where(User.id.in_(learner_ids))).scalars()}
    for enrolment in enrolments:
        record_progress(learners[enrolment.user_id], course, version, enrolment, progress[enrolment.user_id],
                        certified=enrolment.user_id in certified)


def refresh_stored_progress(actor: User | None, slug: str) -> int:
    """Recompute every active learner's stored percentage (what the reports' learner table sorts by) with the rule:
    after the upgrade that added it, after attendance was marked, or after a new version was published; learners who
    meet the completion rule without a recorded completion or certificate get them. Returns the number of enrolments
    whose percentage changed. ``actor`` None: the operator at the command line (and the worker's nightly job)."""
    if actor is not None and not authz.is_admin(actor):
        raise NotAllowed(_("Only administrators can recompute stored progress."))
    course, version = catalog.published_version(slug)
    active = (Enrolment.course_id == course.id, Enrolment.status == EnrolmentStatus.ACTIVE)
    stored = dict(_rows(select(Enrolment.user_id, Enrolment.progress_percent).where(*active)).all())
    progress = progress_by_learner(course.id, catalog.version_outline(version),
                                   lambda column: column.in_(select(Enrolment.user_id).where(*active)), list(stored))
    changed = [{"uid": user_id, "percent": learner.percent} for user_id, learner in progress.items()
               if stored.get(user_id) != learner.percent]
    if changed:
        db.session.connection().execute(
            update(Enrolment).where(Enrolment.course_id == course.id, Enrolment.user_id == bindparam("uid"))
            .values(progress_percent=bindparam("percent")), changed)
    # Learners who meet the rule get what it gives (their completion and certificate), if something ever missed them.
    reevaluate(course, [user_id for user_id, learner in progress.items() if learner.complete])
    db.session.commit()
    return len(changed)


def progress_by_learner(course_id: int, outline: VersionOutline, restrict: Restriction,
                        user_ids: Collection[int]) -> dict[int, CourseProgress]:
    """The rule's progress of each of ``user_ids`` in the course's version ``outline`` (``restrict`` selects the
    same learners in SQL, as a list or a subquery), in four queries (three when no lesson asks a reflection)."""
    completed: dict[int, set[str]] = defaultdict(set)
    for user_id, lesson_key in _rows(
        select(LessonProgress.user_id, LessonProgress.lesson_key)
        .where(LessonProgress.course_id == course_id, LessonProgress.completed_at.is_not(None),
               restrict(LessonProgress.user_id))
    ):
        completed[user_id].add(lesson_key)
    current_quizzes = {m.quiz_key: m.quiz_hash for m in outline.modules if m.quiz_key}
    passed: dict[int, set[str]] = defaultdict(set)
    if current_quizzes:
        for user_id, quiz_key, quiz_hash in _rows(
            select(QuizAttempt.user_id, QuizAttempt.quiz_key, QuizAttempt.quiz_hash).distinct()
            .where(QuizAttempt.course_id == course_id, QuizAttempt.passed.is_(True),
                   QuizAttempt.quiz_key.in_(list(current_quizzes)), restrict(QuizAttempt.user_id))
        ):
            if current_quizzes.get(quiz_key) == quiz_hash:
                passed[user_id].add(quiz_key)
    attended = sessions_attended(course_id, restrict)
    reflected: dict[int, set[str]] = defaultdict(set)
    if outline.outline.reflection_lessons:
        for user_id, _course_id, lesson_key in _rows(contributions_select(
                DiscussionThread.course_id == course_id, restrict(DiscussionPost.author_id))):
            reflected[user_id].add(lesson_key)
    empty: frozenset[str] = frozenset()
    # Learners mostly go through a course in order, so many share the same state: the rule runs once per state.
    memo: dict[tuple[frozenset[str], frozenset[str], int, frozenset[str]], CourseProgress] = {}
    result = {}
    for uid in user_ids:
        key = (frozenset(completed.get(uid, empty)), frozenset(passed.get(uid, empty)), attended.get(uid, 0),
               frozenset(reflected.get(uid, empty)))
        progress = memo.get(key)
        if progress is None:
            progress = memo[key] = course_progress(outline.outline, key[0], key[1], key[2], key[3])
        result[uid] = progress
    return result


def sessions_attended(course_id: int, restrict: Restriction) -> dict[int, int]:
    """user id -> the number of live sessions of the course's cohorts they attended."""
    return dict(_rows(
        select(Attendance.user_id, func.count(func.distinct(Attendance.session_id)))
        .join(LiveSession, LiveSession.id == Attendance.session_id)
        .join(Cohort, Cohort.id == LiveSession.cohort_id)
        .where(Cohort.course_id == course_id, restrict(Attendance.user_id))
        .group_by(Attendance.user_id)
    ).all())


def _rows(statement):
    """Run a column query on the session's connection, without the ORM's row processing (bulk reads)."""
    return db.session.connection().execute(statement)
