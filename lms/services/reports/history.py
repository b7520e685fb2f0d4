"""One learner's history in a course: lessons, quiz attempts, live sessions and posts in its discussions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lms.core import grading
from lms.core.progress import CourseProgress
from lms.extensions import db
from lms.models import (
    Attendance,
    Certificate,
    Cohort,
    CourseVersion,
    Enrolment,
    LessonProgress,
    LiveSession,
    ProgressEvent,
    QuizAttempt,
    User,
)
from lms.services.errors import NotFound
from lms.services.reports.participation import HistoryPost, posts_of
from lms.services.reports.population import progress_by_user
from lms.services.reports.quiz import grade_attempt, quiz_in
from lms.services.reports.scope import ReportScope, report_scope


@dataclass(frozen=True)
class HistoryLesson:
    lesson_key: str
    title: str
    first_viewed_at: datetime
    completed_at: datetime | None
    version: str  # the course version it was completed on ("" when not completed or unknown)


@dataclass(frozen=True)
class HistoryAttempt:
    attempt: QuizAttempt
    version: str
    quiz_title: str
    result: grading.AttemptResult | None  # None when its answers cannot be read against its quiz
    prompts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HistorySession:
    title: str
    starts_at: datetime
    source: str
    minutes: int | None


@dataclass(frozen=True)
class HistoryEntry:
    """One row of the history: a progress event or a counted post, with the title of what it is about (the lesson's
    or quiz's, the thread's) rather than its key."""

    at: datetime
    kind: str  # a ProgressEvent kind ("lesson_completed"...) or "post_" and a HistoryPost kind ("post_reply"...)
    item: str
    percent: float | None = None  # a submitted quiz's score
    post: HistoryPost | None = None


@dataclass(frozen=True)
class LearnerHistory:
    scope: ReportScope
    user: User
    enrolment: Enrolment
    progress: CourseProgress
    lessons: list[HistoryLesson]
    attempts: list[HistoryAttempt]
    sessions: list[HistorySession]
    certificates: list[Certificate]
    posts: list[HistoryPost]  # their counted posts in the course's discussions, oldest first
    timeline: list[HistoryEntry]  # their progress events and counted posts, oldest first


def learner_history(actor: User | None, slug: str, user_id: int) -> LearnerHistory:
    """Everything one learner did in the course: every lesson completion, attempt and answer, with the version."""
    scope = report_scope(actor, slug)
    course_id = scope.course.id
    row = db.session.execute(
        select(Enrolment, User).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.course_id == course_id, Enrolment.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound(_("This person is not enrolled in the course."))
    enrolment, user = row
    versions = {v.id: v for v in db.session.execute(
        select(CourseVersion).where(CourseVersion.course_id == course_id)).scalars()}
    titles = {lesson.key: lesson.title for lesson in scope.outline.lessons}
    lessons = [
        HistoryLesson(lp.lesson_key, titles.get(lp.lesson_key, lp.lesson_key), lp.first_viewed_at, lp.completed_at,
                      versions[lp.completed_version_id].version if lp.completed_version_id in versions else "")
        for lp in db.session.execute(
            select(LessonProgress).where(LessonProgress.course_id == course_id, LessonProgress.user_id == user_id)
            .order_by(LessonProgress.completed_at.is_(None), LessonProgress.completed_at,
                      LessonProgress.first_viewed_at)
        ).scalars()
    ]
    attempts = []
    for attempt in db.session.execute(
        select(QuizAttempt).where(QuizAttempt.course_id == course_id, QuizAttempt.user_id == user_id)
        .order_by(QuizAttempt.started_at, QuizAttempt.id)
    ).scalars():
        version = versions.get(attempt.version_id)
        quiz = quiz_in(version, attempt.quiz_key) if version is not None else None
        result = grade_attempt(quiz, attempt) if quiz is not None and attempt.submitted_at is not None else None
        attempts.append(HistoryAttempt(
            attempt, version.version if version else "", quiz.title if quiz else attempt.quiz_key, result,
            {q.id: q.prompt_html for q in quiz.questions} if quiz else {}))
    sessions = [HistorySession(*r) for r in db.session.execute(
        select(LiveSession.title, LiveSession.starts_at, Attendance.source, Attendance.minutes)
        .join(Attendance, Attendance.session_id == LiveSession.id)
        .join(Cohort, Cohort.id == LiveSession.cohort_id)
        .where(Cohort.course_id == course_id, Attendance.user_id == user_id).order_by(LiveSession.starts_at)
    ).all()]
    events = list(db.session.execute(
        select(ProgressEvent).where(ProgressEvent.course_id == course_id, ProgressEvent.user_id == user_id)
        .order_by(ProgressEvent.at, ProgressEvent.id)).scalars())
    certificates = list(db.session.execute(
        select(Certificate).where(Certificate.course_id == course_id, Certificate.user_id == user_id)
        .order_by(Certificate.issued_at)).scalars())
    progress = progress_by_user(scope, [user_id])[user_id]
    posts = posts_of(scope, user_id)
    return LearnerHistory(scope, user, enrolment, progress, lessons, attempts, sessions, certificates, posts,
                          _timeline(scope, events, posts))


def _timeline(scope: ReportScope, events: list[ProgressEvent], posts: list[HistoryPost]) -> list[HistoryEntry]:
    """Events and posts in one list: a learner who only posted has a history too, and the two agree on when."""
    titles = {lesson.key: lesson.title for lesson in scope.outline.lessons} | dict(scope.quizzes)
    entries = [HistoryEntry(e.at, e.kind, titles.get(e.item_key, e.item_key),
                            (e.detail or {}).get("percent"))
               for e in events]
    entries += [HistoryEntry(p.written_at, f"post_{p.kind}", p.thread_title, post=p) for p in posts]
    return sorted(entries, key=lambda entry: entry.at)
