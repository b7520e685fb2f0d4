"""Quiz attempts: start or resume, submit, review.

Grading is lms.core.grading's; this module stores attempts and enforces the limits with the database: attempt numbers
are unique per learner and quiz (two simultaneous starts cannot both take the last attempt), and an attempt is
submitted by an UPDATE that only matches it while it is open (two simultaneous submits cannot both count).
Answer keys never leave the server before submission: pages get lms.core.grading.public_question_view only.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from lms.core import attempt_policies, attempt_review, clock, grading
from lms.core.packages import Quiz
from lms.core.player import item_after_quiz
from lms.core.progress import LearnerStep, StepKind
from lms.extensions import db
from lms.models import (
    Cohort,
    Course,
    CourseVersion,
    Enrolment,
    EnrolmentStatus,
    ProgressEvent,
    QuizAttempt,
    User,
    constants_in_sql,
)
from lms.models.plain import CourseRow, VersionRow
from lms.services import (
    catalog,
    cohorts,
    completion,
    course_context,
    course_languages,
    course_versions,
    enrolments,
    learning,
    wording,
)
from lms.services.catalog import LessonRef, VersionOutline
from lms.services.course_languages import CourseReading
from lms.services.errors import Conflict, Invalid, NotFound


class SubmissionRejected(Invalid):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Your answers could not be accepted: " + " ".join(problems))


class AlreadySubmitted(Conflict):
    """The attempt was submitted before (a second tab, or the Back button and the same form sent again)."""

    def __init__(self, attempt_id: int) -> None:
        self.attempt_id = attempt_id
        super().__init__("You had already submitted this attempt, so these answers were not counted. "
                         "Here is its result.")


@dataclass(frozen=True)
class QuizPage:
    course: CourseRow
    version: VersionRow
    quiz: Quiz
    attempt: QuizAttempt | None  # the open attempt, if one could be started
    questions: tuple  # public views, in this attempt's order
    attempts_used: int
    attempts_remaining: int | None
    passed: bool
    history: tuple[QuizAttempt, ...]
    closed_message: str | None = None  # why no new attempt can start now (outside the learner's cohort window)
    scores_shown: bool = True  # the quiz's review options show scores now (else only passed / not passed)
    after: QuizNext | None = None  # where to go once the quiz is done
    reading: CourseReading | None = None  # the language the quiz is shown in

    @property
    def may_start(self) -> bool:
        """Whether the learner may start another attempt now (an explicit button, never a page load)."""
        return self.attempt is None and self.closed_message is None and (
            self.attempts_remaining is None or self.attempts_remaining > 0)

    @property
    def latest(self) -> QuizAttempt | None:
        return self.history[-1] if self.history else None


@dataclass(frozen=True)
class QuizNext:
    """What comes after a quiz: the first lesson of the next module (``lesson``), or else, after the course's last
    module, the learner's next step in the course (``step``: sessions, certificate …)."""

    outline: VersionOutline
    lesson: LessonRef | None
    module_title: str
    step: LearnerStep | None


@dataclass(frozen=True)
class AttemptReview:
    """A submitted attempt as its learner may see it now: only what the quiz's review options allow."""

    course: Course
    quiz: Quiz
    attempt: QuizAttempt
    result: attempt_review.ReviewedAttempt
    attempts_remaining: int | None
    passed_ever: bool = False  # any attempt at these questions passed
    may_start: bool = False  # another attempt may be started now
    after: QuizNext | None = None

    @property
    def notice(self) -> str:
        return wording.word(attempt_review.correct_answers_notice(
            self.quiz.review, self.result.shown, attempts_limited=self.attempts_remaining is not None))

    @property
    def prompts(self) -> dict[str, str]:
        return {question.id: question.prompt_html for question in self.quiz.questions}


def _quiz_of(version: CourseVersion, quiz_key: str, language: str | None = None) -> Quiz:
    """The quiz, its texts in ``language`` where the version translates it: the same ids, answer key and hash in
    every language, so grading and passes do not depend on it (short answers also accept that language's answers)."""
    package = course_versions.version_package(version)
    for quiz in package.quizzes:
        if quiz.id == quiz_key:
            return package.quiz_in(quiz, language)
    raise NotFound(_("This quiz is not part of the course."))


def _attempts(user: User, course: Course, quiz: Quiz) -> list[QuizAttempt]:
    return list(db.session.execute(_ATTEMPTS, {"user_id": user.id, "course_id": course.id, "quiz_key": quiz.id,
                                               "quiz_hash": quiz.content_hash}).scalars())


_ATTEMPTS = constants_in_sql(
  # built once: the quiz and result pages run it on every view
    select(QuizAttempt)
    .where(QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.course_id == bindparam("course_id"),
           QuizAttempt.quiz_key == bindparam("quiz_key"), QuizAttempt.quiz_hash == bindparam("quiz_hash"))
    .order_by(QuizAttempt.number)
)


def quiz_page(user: User, slug: str, quiz_key: str, *, start: bool = True, interface_language: str | None = None,
              requested_language: str | None = None) -> QuizPage:
    """The quiz with the learner's open attempt. A first attempt starts when the page opens (``start``); any later
    one only when the learner asks (start_attempt), so that reopening a quiz, or going Back to it, never starts an
    attempt the learner did not mean to take. The quiz is shown in the learner's reading language
    (lms.services.course_languages)."""
    course, version, enrolment = course_context.study_context(user, slug)
    reading = course_languages.reading_for(version, enrolment, interface_language, requested_language)
    quiz = _quiz_of(version, quiz_key, reading.language)
    attempts = _attempts(user, course, quiz)
    submitted = [a for a in attempts if a.submitted_at is not None]
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    remaining = attempt_policies.attempts_remaining(quiz, len(submitted))
    passed = any(a.passed for a in submitted)
    closed = cohorts.attempt_refusal(user, enrolment) if open_attempt is None else None
    if open_attempt is None and start and not submitted and enrolment is not None \
            and (remaining is None or remaining > 0) and closed is None:
        open_attempt = _start_attempt(user, course, version, quiz, len(attempts) + 1)
    questions: tuple = ()
    if open_attempt is not None:
        by_id = {question.id: question for question in quiz.questions}
        choice_order = open_attempt.layout["choice_order"]
        questions = tuple(grading.public_question_view(by_id[qid], tuple(choice_order.get(qid, ())))
                          for qid in open_attempt.layout["question_ids"])
    shown = attempt_review.review_shown(quiz.review, quiz_passed=passed, attempts_remaining=remaining)
    return QuizPage(course, version, quiz, open_attempt, questions, len(submitted), remaining, passed,
                    tuple(submitted), closed, scores_shown=shown.score,
                    after=_after(user, course, version, enrolment, quiz) if passed else None, reading=reading)


def start_attempt(user: User, slug: str, quiz_key: str) -> QuizAttempt:
    """Start another attempt, because the learner asked to ("Try again"). Returns the open attempt if there is one."""
    course, version, enrolment = course_context.study_context(user, slug)
    quiz = _quiz_of(version, quiz_key)
    if enrolment is None:
        raise Conflict(_("Only enrolled learners take quizzes."))
    attempts = _attempts(user, course, quiz)
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    if open_attempt is not None:
        return open_attempt
    refusal = cohorts.attempt_refusal(user, enrolment)
    if refusal is not None:
        raise Conflict(refusal)
    remaining = attempt_policies.attempts_remaining(quiz, len(attempts))
    if remaining is not None and remaining <= 0:
        raise Conflict(_("You have used all your attempts at this quiz."))
    return _start_attempt(user, course, version, quiz, len(attempts) + 1)


def _after(user: User, course: Course, version: CourseVersion, enrolment, quiz: Quiz) -> QuizNext:
    outline = catalog.version_outline(version)
    following = item_after_quiz(outline.outline, quiz.id)
    step = None
    if following is None and enrolment is not None:
        progress = learning.learner_state(user, course.id, outline).progress
        step = learning.next_steps(user, {course.id: (enrolment, progress)})[course.id]
    lesson = outline.lessons_of(following.module_id)[0] if following and following.kind == StepKind.LESSON else None
    module_title = outline.module(following.module_id).title if following else ""
    return QuizNext(outline, lesson, module_title, step)


def _start_attempt(user: User, course: Course, version: CourseVersion, quiz: Quiz, number: int) -> QuizAttempt:
    seed = grading.new_layout_seed()
    layout = grading.attempt_layout(quiz, seed)
    attempt = QuizAttempt(
        user_id=user.id, course_id=course.id, version_id=version.id, quiz_key=quiz.id, quiz_hash=quiz.content_hash,
        number=number, seed=seed, started_at=clock.now(),
        layout={"question_ids": list(layout.question_ids),
                "choice_order": {qid: list(order) for qid, order in layout.choice_order.items()}},
    )
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request (a second tab, a double click) started attempt `number` first: use that one.
        db.session.rollback()
        existing = db.session.execute(
            select(QuizAttempt).filter_by(user_id=user.id, course_id=course.id, quiz_key=quiz.id,
                                          quiz_hash=quiz.content_hash, number=number)
        ).scalar_one()
        if existing.submitted_at is not None:
            raise Conflict(_("This attempt was just submitted from another window. Reload the page.")) from None
        return existing
    return attempt


def get_attempt(user: User, slug: str, attempt_id: int) -> tuple[Course, QuizAttempt]:
    """The attempt, if it is this learner's and belongs to this course; otherwise NotFound (no hint it exists)."""
    course = catalog.find_course(slug)
    attempt = db.session.get(QuizAttempt, attempt_id)
    if course is None or attempt is None or attempt.course_id != course.id or attempt.user_id != user.id:
        raise NotFound(_("There is no such attempt."))
    return course, attempt


def submit_attempt(user: User, slug: str, quiz_key: str, attempt_id: int, raw: dict[str, list[str]], *,
                   interface_language: str | None = None) -> QuizAttempt:
    """Grade and record an attempt, in the language the learner reads the course in (``interface_language``: the
    page's): its accepted short answers, and the language the reports split the quiz's results by."""
    course, attempt = get_attempt(user, slug, attempt_id)
    if attempt.quiz_key != quiz_key:
        raise NotFound(_("There is no such attempt."))
    if attempt.submitted_at is not None:
        raise AlreadySubmitted(attempt.id)
    enrolment = course_context.require_study_access(user, course, enrolments.active_enrolment(user, course.id))
    version = db.session.get(CourseVersion, attempt.version_id)
    reading = course_languages.reading_for(version, enrolment, interface_language)
    quiz = _quiz_of(version, quiz_key, reading.language)
    question_ids = attempt.layout["question_ids"]
    answers = {qid: [str(value) for value in raw.get(qid, [])] for qid in question_ids}
    try:
        responses = grading.parse_submission(quiz, question_ids, raw)
    except grading.SubmissionError as error:
        raise SubmissionRejected([wording.word(problem) for problem in error.problems]) from None
    result = grading.grade_attempt(quiz, question_ids, responses)
    now = clock.now()
    submitted = db.session.execute(
        update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now, responses=answers, score=result.score, max_score=result.max_score,
                percent=result.percent, passed=result.passed, language=reading.language)
    ).rowcount == 1
    if not submitted:
        db.session.rollback()
        raise AlreadySubmitted(attempt.id)
    db.session.add(ProgressEvent(user_id=user.id, course_id=course.id, version_id=version.id, kind="quiz_submitted",
                                 item_key=quiz.id, at=now,
                                 detail={"attempt": attempt.number, "percent": result.percent,
                                         "passed": result.passed}))
    current = catalog.published_version(slug)[1]
    if enrolment is not None:
        enrolment.last_activity_at = now  # a quiz submitted is activity, as a lesson read is
        course_languages.record_studied_language(enrolment, reading)
        outline = catalog.version_outline(current)
        completion.record_progress(user, course, current, enrolment,
                                   learning.learner_state(user, course.id, outline).progress)
    db.session.commit()
    db.session.refresh(attempt)
    return attempt


# The result page's one query for the attempt and what it is read against: the version it was taken on, its course
# and current version, the learner's active enrolment and its cohort (for whether another attempt may start).
_TAKEN_ON = aliased(CourseVersion)
_REVIEW_CONTEXT = constants_in_sql(
    select(QuizAttempt, _TAKEN_ON, Course, CourseVersion, Enrolment, Cohort)
    .join(Course, Course.id == QuizAttempt.course_id)
    .join(_TAKEN_ON, _TAKEN_ON.id == QuizAttempt.version_id)
    .join(CourseVersion, (CourseVersion.course_id == Course.id) & CourseVersion.is_current)
    .outerjoin(Enrolment, (Enrolment.course_id == Course.id) & (Enrolment.user_id == QuizAttempt.user_id)
               & (Enrolment.status == EnrolmentStatus.ACTIVE))
    .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id).options(contains_eager(Enrolment.cohort))
    .where(QuizAttempt.id == bindparam("attempt_id"), QuizAttempt.user_id == bindparam("user_id"),
           Course.slug == bindparam("slug"))
)


def review(user: User, slug: str, attempt_id: int) -> AttemptReview:
    """The learner's own attempt in this course (NotFound otherwise, as get_attempt): two queries, this one and the
    learner's attempts at the quiz."""
    row = db.session.execute(_REVIEW_CONTEXT, {"attempt_id": attempt_id, "user_id": user.id, "slug": slug}).first()
    if row is None:
        raise NotFound(_("There is no such attempt."))
    attempt, version, course, current, enrolment, _cohort = row
    if attempt.submitted_at is None:
        raise Conflict(_("This attempt has not been submitted yet."))
    quiz = _quiz_of(version, attempt.quiz_key, attempt.language)  # graded, and shown, as it was taken
    question_ids = attempt.layout["question_ids"]
    responses = grading.parse_submission(quiz, question_ids, attempt.responses or {})
    result = grading.grade_attempt(quiz, question_ids, responses, choice_order=attempt.layout.get("choice_order"))
    submitted = [a for a in _attempts(user, course, quiz) if a.submitted_at is not None]
    remaining = attempt_policies.attempts_remaining(quiz, len(submitted))
    passed_ever = any(a.passed for a in submitted)
    shown = attempt_review.review_shown(quiz.review, quiz_passed=passed_ever, attempts_remaining=remaining)
    on_current = current.id == version.id or any(q.id == quiz.id and q.content_hash == quiz.content_hash
                                                 for q in course_versions.version_package(current).quizzes)
    may_start = (on_current and enrolment is not None and (remaining is None or remaining > 0)
                 and cohorts.attempt_refusal(user, enrolment) is None)
    after = _after(user, course, current, enrolment, quiz) if passed_ever and on_current else None
    return AttemptReview(course, quiz, attempt, attempt_review.reviewed_attempt(result, shown), remaining, passed_ever,
                         may_start, after)
