"""Quiz analytics: each question's facility and discrimination and each choice's picks, from every learner's
first submitted attempt at the quiz's current questions (lms.core.analytics)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from lms.core import analytics, grading
from lms.core.packages import Quiz
from lms.core.packages.model import QuestionType
from lms.extensions import db
from lms.models import (
    CourseVersion,
    QuizAttempt,
    User,
)
from lms.services import course_versions
from lms.services.errors import NotFound
from lms.services.reports.columns import Column
from lms.services.reports.population import population_user_ids
from lms.services.reports.scope import ReportScope, report_scope


def quiz_in(version: CourseVersion, quiz_key: str) -> Quiz | None:
    for quiz in course_versions.version_package(version).quizzes:
        if quiz.id == quiz_key:
            return quiz
    return None


def grade_attempt(quiz: Quiz, attempt: QuizAttempt) -> grading.AttemptResult | None:
    question_ids = attempt.layout.get("question_ids", [])
    try:
        responses = grading.parse_submission(quiz, question_ids, attempt.responses or {})
        return grading.grade_attempt(quiz, question_ids, responses)
    except (grading.SubmissionError, ValueError):
        return None


@dataclass(frozen=True)
class ChoiceRow:
    choice_id: str
    html: str
    correct: bool
    picked: int
    percent: float  # of the attempts that had the question


@dataclass(frozen=True)
class QuestionRow:
    question_id: str
    position: int
    prompt_html: str
    type: str
    attempts: int
    facility: float | None
    discrimination: float | None
    flags: tuple[str, ...]
    choices: list[ChoiceRow]
    # Courses with translations: the facility of the first attempts in each language, "much harder" ones flagged.
    by_language: tuple[analytics.LanguageFacility, ...] = ()

    @property
    def much_harder_in(self) -> tuple[str, ...]:
        return tuple(row.language for row in self.by_language if row.much_harder)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _by_language(question: QuestionRow) -> str:
    """``es=0.4 (12); fr=0.9 (8)``: each language's facility and attempts, as CSV and JSON hold them."""
    return "; ".join(f"{row.language}={'' if row.facility is None else _rounded(row.facility)} ({row.attempts})"
                     for row in question.by_language)


def question_columns(multilingual: bool = False) -> list[Column[QuestionRow]]:
    """The question table's columns, for the page, the CSV and the JSON; a course in several languages adds each
    language's facility."""
    by_language = [Column("facility_by_language", _l("By language"), _by_language, cell="by_language")] \
        if multilingual else []
    return [
        Column("position", "#", lambda q: q.position, cell="number"),
        Column("question", _l("Question"), lambda q: q.question_id, cell="question"),
        Column("type", _l("Type"), lambda q: q.type, on_page=False),  # under the question on the page
        Column("attempts", _l("Attempts"), lambda q: q.attempts, cell="number"),
        Column("facility", _l("Facility"), lambda q: _rounded(q.facility), cell="decimal"),
        Column("discrimination", _l("Discrimination"), lambda q: _rounded(q.discrimination), cell="decimal"),
        *by_language,
        Column("flags", _l("Flags"), lambda q: "; ".join(q.flags), cell="flags"),
        Column("choice_picks", _l("Choices picked"),
               lambda q: "; ".join(f"{c.choice_id}={c.picked}" for c in q.choices), cell="choices"),
    ]


@dataclass(frozen=True)
class QuizReport:
    scope: ReportScope
    quiz: Quiz
    learners: int  # learners with a first attempt (= the attempts analysed)
    submitted_attempts: int  # every submitted attempt on the current questions
    passed_first_time: int
    mean_percent: float | None
    questions: list[QuestionRow]

    @property
    def multilingual(self) -> bool:
        """The course is in several languages: each question's facility is split by language."""
        return len(self.scope.version.language_list) > 1

    @property
    def columns(self) -> list[Column[QuestionRow]]:
        return question_columns(self.multilingual)


def quiz_analytics(actor: User | None, slug: str, quiz_key: str, cohort_id: int | None = None) -> QuizReport:
    """Per question: attempts, facility, discrimination, picks per choice and flags, over first attempts."""
    scope = report_scope(actor, slug, cohort_id)
    module = next((m for m in scope.outline.modules if m.quiz_key == quiz_key), None)
    if module is None:
        raise NotFound(_("This quiz is not part of the course."))
    quiz = quiz_in(scope.version, quiz_key)
    if quiz is None:  # pragma: no cover  (the outline and the package come from the same version)
        raise NotFound(_("This quiz is not part of the course."))
    base = [QuizAttempt.course_id == scope.course.id, QuizAttempt.quiz_key == quiz_key,
            QuizAttempt.quiz_hash == module.quiz_hash, QuizAttempt.submitted_at.is_not(None),
            QuizAttempt.user_id.in_(population_user_ids(scope))]
    submitted = db.session.execute(select(func.count()).select_from(QuizAttempt).where(*base)).scalar_one()
    first = (select(QuizAttempt.user_id, func.min(QuizAttempt.number).label("number"))
             .where(*base).group_by(QuizAttempt.user_id).subquery())
    attempts = db.session.execute(
        select(QuizAttempt.layout, QuizAttempt.responses, QuizAttempt.percent, QuizAttempt.passed,
               QuizAttempt.language)
        .join(first, and_(first.c.user_id == QuizAttempt.user_id, first.c.number == QuizAttempt.number))
        .where(*base)
    ).all()
    question_ids = [q.id for q in quiz.questions]
    scores: list[dict[str, float]] = []
    picks: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    seen: dict[str, int] = defaultdict(int)
    percents = []
    passed = 0
    package = course_versions.version_package(scope.version)
    languages = package.languages or (package.language,)
    by_language: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for layout, responses, percent, was_passed, language in attempts:
        shown = layout.get("question_ids", [])
        language = language or package.language  # attempts from before translations were in the source
        graded_as = package.quiz_in(quiz, language)  # its short answers are accepted in the attempt's language
        try:
            parsed = grading.parse_submission(graded_as, shown, responses or {})
            result = grading.grade_attempt(graded_as, shown, parsed)
        except (grading.SubmissionError, ValueError):
            continue
        scores.append({r.question_id: r.score for r in result.questions})
        for r in result.questions:
            by_language[r.question_id].append((language, r.score))
        for qid in shown:
            seen[qid] += 1
            response = parsed.get(qid)
            picks[qid].append(response.choice_ids if response is not None else ())
        percents.append(percent or 0.0)
        passed += bool(was_passed)
    stats = {s.question_id: s for s in analytics.question_statistics(
        question_ids, {q.id: float(q.points) for q in quiz.questions}, scores)}
    questions = []
    for position, question in enumerate(quiz.questions, start=1):
        choices = []
        if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            counts = analytics.choice_counts([c.id for c in question.choices], picks[question.id])
            choices = [ChoiceRow(c.id, c.html, c.correct, counts[c.id],
                                 round(100 * counts[c.id] / seen[question.id], 1) if seen[question.id] else 0.0)
                       for c in question.choices]
        stat = stats[question.id]
        split = analytics.facility_by_language(by_language[question.id], float(question.points), languages) \
            if len(languages) > 1 else ()
        questions.append(QuestionRow(question.id, position, question.prompt_html, str(question.type),
                                     seen[question.id], stat.facility, stat.discrimination,
                                     stat.flags if seen[question.id] else (), choices, split))
    mean_percent = analytics.mean(percents)
    return QuizReport(scope, quiz, len(scores), submitted, passed,
                      round(mean_percent, 1) if mean_percent is not None else None, questions)
