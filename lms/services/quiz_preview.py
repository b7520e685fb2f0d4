"""An author tries a draft's quiz exactly as learners will take it, and sees the review learners would see.

Nothing is stored: the attempt's layout comes from a seed carried in the form, and grading and the review rule are
lms.core.grading's, the same functions the learner's pages use.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import gettext as _

from lms.core import attempt_policies, attempt_review, grading
from lms.core.packages import Quiz
from lms.models import CourseVersion, User
from lms.services import course_versions, wording
from lms.services.errors import NotFound


class Situation(StrEnum):
    """Which learner's review the preview shows."""

    ATTEMPTS_LEFT = "attempts_left"  # a learner who can still try again (the first attempt of several)
    LAST_ATTEMPT = "last_attempt"  # a learner who has no attempt left


@dataclass(frozen=True)
class QuizPreview:
    version: CourseVersion
    quiz: Quiz
    seed: int
    questions: tuple[grading.PublicQuestion, ...]  # as the learner's form shows them, in this layout's order


@dataclass(frozen=True)
class PreviewReview:
    preview: QuizPreview
    situation: Situation
    result: attempt_review.ReviewedAttempt
    notice: str

    @property
    def prompts(self) -> dict[str, str]:
        return {question.id: question.prompt_html for question in self.preview.quiz.questions}


def _quiz(version: CourseVersion, quiz_key: str) -> Quiz:
    for quiz in course_versions.version_package(version).quizzes:
        if quiz.id == quiz_key:
            return quiz
    raise NotFound(_("Version %(version)s has no quiz '%(quiz)s'.", version=version.version, quiz=quiz_key))


def preview_quiz(actor: User | None, slug: str, version: str, quiz_key: str, seed: int | None = None) -> QuizPreview:
    """The quiz in a learner's layout: a new random one, or the one of ``seed`` (to grade what was shown)."""
    row = course_versions.version_for_author(actor, slug, version)
    quiz = _quiz(row, quiz_key)
    seed = grading.new_layout_seed() if seed is None else seed
    layout = grading.attempt_layout(quiz, seed)
    return QuizPreview(row, quiz, seed, grading.public_attempt_view(quiz, layout))


def try_quiz(actor: User | None, slug: str, version: str, quiz_key: str, seed: int, raw: dict[str, list[str]],
             situation: Situation) -> PreviewReview:
    """Grade answers to a preview and review them as a learner in ``situation`` would see it; stores nothing.
    grading.SubmissionError (with every problem) when the answers could not be graded, as a learner would be told."""
    preview = preview_quiz(actor, slug, version, quiz_key, seed)
    quiz = preview.quiz
    layout = grading.attempt_layout(quiz, seed)
    responses = grading.parse_submission(quiz, layout.question_ids, raw, ignore={"csrf_token", "seed", "situation"})
    result = grading.grade_attempt(quiz, layout.question_ids, responses, choice_order=layout.choice_order)
    limited = quiz.max_attempts is not None
    if situation is Situation.LAST_ATTEMPT and limited:
        remaining: int | None = 0
    else:
        remaining = attempt_policies.attempts_remaining(quiz, 1)
    shown = attempt_review.review_shown(quiz.review, quiz_passed=result.passed, attempts_remaining=remaining)
    return PreviewReview(preview, situation, attempt_review.reviewed_attempt(result, shown),
                         wording.word(attempt_review.correct_answers_notice(quiz.review, shown,
                                                                            attempts_limited=limited)))
