"""What a learner sees of a submitted attempt, and when. Pure: no Flask, no database.

A quiz's ``review`` options say when each part of the review is shown: the score, correctness (which answers were
right), feedback, the correct answers and explanations; each ``always``, ``after_passing`` (the learner has passed
the quiz, in any attempt), ``after_last_attempt`` (no attempt remains; never with unlimited attempts),
``after_passing_or_last_attempt`` or ``never``. ``review_shown`` is that rule; ``reviewed_attempt`` keeps only
what it allows, so a template cannot show an answer key it was not given. Whether the attempt passed is always
shown: it decides the learner's progress.
"""

from __future__ import annotations

from dataclasses import dataclass

from lms.core.grading import AttemptResult, Outcome, QuestionResult
from lms.core.i18n import N_
from lms.core.packages.model import QuestionType, ReviewOptions, ReviewTime


@dataclass(frozen=True, slots=True)
class ReviewShown:
    """Which parts of a submitted attempt's review the learner sees now."""

    score: bool
    correctness: bool
    feedback: bool
    correct_answers: bool
    explanations: bool


def review_shown(options: ReviewOptions, *, quiz_passed: bool, attempts_remaining: int | None) -> ReviewShown:
    """The review rule: each part is shown when its time has come. ``quiz_passed``: the learner passed the quiz in
    any attempt; ``attempts_remaining``: None when attempts are unlimited (the last attempt never comes)."""
    last_attempt = attempts_remaining is not None and attempts_remaining <= 0
    reached = {
        ReviewTime.ALWAYS: True,
        ReviewTime.AFTER_PASSING: quiz_passed,
        ReviewTime.AFTER_LAST_ATTEMPT: last_attempt,
        ReviewTime.AFTER_PASSING_OR_LAST_ATTEMPT: quiz_passed or last_attempt,
        ReviewTime.NEVER: False,
    }
    return ReviewShown(
        score=reached[ReviewTime(options.score)], correctness=reached[ReviewTime(options.correctness)],
        feedback=reached[ReviewTime(options.feedback)], correct_answers=reached[ReviewTime(options.correct_answers)],
        explanations=reached[ReviewTime(options.explanations)],
    )


def correct_answers_notice(options: ReviewOptions, shown: ReviewShown, *, attempts_limited: bool) -> str:
    """Why the review shows no correct answers yet, as a sentence for the learner (marked with N_: services word it
    with lms.services.wording.word); "" when it shows them."""
    if shown.correct_answers:
        return ""
    when = ReviewTime(options.correct_answers)
    if when is ReviewTime.AFTER_LAST_ATTEMPT and attempts_limited:
        return N_("The correct answers are shown once you have used all your attempts.")
    if when is ReviewTime.AFTER_PASSING_OR_LAST_ATTEMPT and attempts_limited:
        return N_("The correct answers are shown once you pass this quiz or have used all your attempts.")
    if when in (ReviewTime.AFTER_PASSING, ReviewTime.AFTER_PASSING_OR_LAST_ATTEMPT):
        return N_("The correct answers are shown once you pass this quiz.")
    return N_("This quiz does not show its correct answers.")


@dataclass(frozen=True, slots=True)
class ChoiceReview:
    """One choice on the review page. ``right`` says whether a picked choice was right (None: not picked, or
    correctness not shown); ``correct_answer`` marks the correct choices only when correct answers are shown."""

    id: str
    html: str
    picked: bool
    right: bool | None
    correct_answer: bool
    feedback: str


@dataclass(frozen=True, slots=True)
class QuestionReview:
    question_id: str
    type: QuestionType
    answer_given: str  # the learner's answer as text (choice questions show their choices instead); "" if none
    outcome: Outcome | None  # None when correctness is not shown
    score: float | None  # None when the score is not shown
    max_score: float
    choices: tuple[ChoiceReview, ...]
    correct_answers: tuple[str, ...]  # empty unless correct answers are shown
    feedback: str
    explanation: str


@dataclass(frozen=True, slots=True)
class ReviewedAttempt:
    shown: ReviewShown
    passed: bool
    score: float | None  # None when the score is not shown, as are max_score and percent
    max_score: float | None
    percent: float | None
    questions: tuple[QuestionReview, ...]


def reviewed_attempt(result: AttemptResult, shown: ReviewShown) -> ReviewedAttempt:
    """The attempt's result with only what ``shown`` allows: what a review page may be given."""
    return ReviewedAttempt(
        shown=shown, passed=result.passed,
        score=result.score if shown.score else None, max_score=result.max_score if shown.score else None,
        percent=result.percent if shown.score else None,
        questions=tuple(_question_review(question, shown) for question in result.questions),
    )


def _question_review(result: QuestionResult, shown: ReviewShown) -> QuestionReview:
    choices = tuple(
        ChoiceReview(id=choice.id, html=choice.html, picked=choice.picked,
                     right=choice.correct if choice.picked and shown.correctness else None,
                     correct_answer=choice.correct and shown.correct_answers,
                     feedback=choice.feedback if shown.feedback else "")
        for choice in result.choices
    )
    answer = result.response.display if result.response is not None and not result.choices else ""
    return QuestionReview(
        question_id=result.question_id, type=result.type, answer_given=answer,
        outcome=result.outcome if shown.correctness else None,
        score=result.score if shown.score else None, max_score=result.max_score, choices=choices,
        correct_answers=result.correct_answers if shown.correct_answers else (),
        feedback=result.feedback if shown.feedback else "",
        explanation=result.explanation if shown.explanations else "",
    )
