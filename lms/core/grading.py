"""Quizzes: reading a submitted form, grading every question type, shuffling per attempt, and attempt policies.

Pure rules: no Flask, no database. The quiz format is documented in docs/course-packages.md; the typed quiz comes from
``lms.core.packages.model``. Every page, report, CLI command and test grades through the functions here.

Submissions
    A submission is the form as the browser sends it, ``Mapping[str, list[str]]`` keyed by question id (the form
    field names are the question ids, as ``MultiDict.to_dict(flat=False)`` gives them). ``parse_submission`` checks it
    against the questions of the attempt and raises ``SubmissionError`` listing every problem at once, each naming the
    question by its position in the attempt ("Question 3: ..."). Blank values count as no answer. Fields named in
    ``ignore`` (by default ``csrf_token``) are skipped; any other field that is not a question of the attempt is
    refused as tampering.

Grading rules (per question, ``points`` each)
    - single_choice: full points when the one correct choice is picked, else 0.
    - multiple_choice (partial credit): score = max(0, (correct picked - wrong picked) / number of correct choices)
      x points. Picking every choice therefore earns only what the correct picks outweigh; the score is never
      negative and never above the points.
    - true_false: full points when the answer matches.
    - short_answer: the answer and each accepted answer are normalised (Unicode NFKC, trimmed, internal whitespace
      collapsed to one space, and case-folded unless the question is case-sensitive); full points on an exact match.
    - numeric: full points when |given - answer| <= tolerance (plus 1e-9 x max(1, |answer|) so that float
      representation never rejects a value on the boundary). "4,1" (decimal comma) and surrounding spaces are
      accepted; NaN and infinities are not.
    Outcome: "correct" for full points, "partial" for some, "incorrect" for none.

Attempt score
    score = sum of question scores, percent = round(100 x score / max_score, 2), passed = percent >= pass_mark. The
    rounded percent (the number the learner sees) decides, so a learner shown "70%" passes a 70% pass mark.

Quiz passed (policy, in lms.core.attempt_policies)
    ``kept_score`` picks the attempt whose score counts: ``best`` = the highest percent (ties: the earliest submitted),
    ``last`` = the latest submitted. ``quiz_passed`` is True when ANY submitted attempt passed: a quiz once passed stays
    passed. Under ``last`` a later, lower attempt changes the score shown but never takes a pass away from the learner
    (under ``best`` the kept attempt is then a passing one anyway).

Shuffling
    ``attempt_layout(quiz, seed)`` gives the order of questions and of each question's choices for one attempt,
    deterministic for the seed (``random.Random(seed)``); identity order where the quiz does not shuffle. Store the
    layout (or the seed) with the attempt so it stays stable while the learner works on it.

What the browser may see
    Before submission, templates get only ``public_question_view`` / ``public_attempt_view``: prompt HTML, type,
    points and choices (id + HTML). Never correct flags, answers or feedback.

Reviewing a submitted attempt
    What the learner sees of a graded attempt, and when, is lms.core.attempt_review's.
"""

from __future__ import annotations

import math
import random
import re
import secrets
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from lms.core.i18n import N_, Nn_, Phrase
from lms.core.packages.model import Choice, Question, QuestionType, Quiz

MAX_TEXT_LENGTH = 1000
NUMERIC_EPSILON = 1e-9
DEFAULT_IGNORED_FIELDS = frozenset({"csrf_token"})

_CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")


class Outcome(StrEnum):
    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"


class SubmissionError(ValueError):
    """A submitted quiz form that cannot be graded; ``problems`` lists every reason, in question order, as Phrases
    to word in the learner's language (lms.services.wording.word; ``str()`` gives the English)."""

    def __init__(self, problems: list[Phrase], by_question: Mapping[str, list[Phrase]] | None = None) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = list(problems)
        self.by_question: dict[str, list[Phrase]] = {key: list(value) for key, value in (by_question or {}).items()}


# --- responses -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Response:
    """A learner's validated answer to one question. Which field is set depends on the question type."""

    question_id: str
    choice_ids: tuple[str, ...] = ()  # single_choice, multiple_choice: picked ids, no duplicates, in quiz order
    boolean: bool | None = None  # true_false
    text: str | None = None  # short_answer: as typed (trimmed); numeric: the number as typed (trimmed)
    number: float | None = None  # numeric

    def to_form(self) -> list[str]:
        """The form values that give this response back through ``parse_submission`` (e.g. to store it)."""
        if self.choice_ids:
            return list(self.choice_ids)
        if self.boolean is not None:
            return ["true" if self.boolean else "false"]
        if self.text is not None:
            return [self.text]
        return []

    @property
    def display(self) -> str:
        """The answer as the learner gave it, for the results page (choice questions show their choices instead)."""
        if self.boolean is not None:
            return "true" if self.boolean else "false"
        if self.text is not None:
            return self.text
        return ", ".join(self.choice_ids)


def _parse_number(value: str) -> float | None:
    cleaned = unicodedata.normalize("NFKC", value).strip().replace("\u2212", "-")
    if not _NUMBER.fullmatch(cleaned):  # one decimal separator at most: "1,000.5" is refused as ambiguous
        return None
    number = float(cleaned.replace(",", "."))
    return number if math.isfinite(number) else None


def _parse_one(question: Question, position: int, values: list[str]) -> tuple[Response | None, list[Phrase]]:
    """Validate the values sent for one question: the response, or the problems (never both)."""

    def problem(message: str, **values: object) -> list[Phrase]:
        return [Phrase(message, number=position, **values)]

    present = [value for value in values if value.strip()]
    if not present:
        if question.type == QuestionType.MULTIPLE_CHOICE:
            return None, problem(N_("Question %(number)s: choose at least one answer."))
        if question.type in _CHOICE_TYPES or question.type == QuestionType.TRUE_FALSE:
            return None, problem(N_("Question %(number)s: choose an answer."))
        return None, problem(N_("Question %(number)s: type an answer."))

    if question.type in _CHOICE_TYPES:
        known = {choice.id for choice in question.choices}
        picked = {value.strip() for value in present}
        if not picked <= known:
            return None, problem(N_("Question %(number)s: one of the answers sent is not a choice of this question. "
                                    "Reload the page and choose again."))
        if question.type == QuestionType.SINGLE_CHOICE and len(picked) > 1:
            return None, problem(N_("Question %(number)s: choose only one answer."))
        ordered = tuple(choice.id for choice in question.choices if choice.id in picked)
        return Response(question.id, choice_ids=ordered), []

    if len(present) > 1:
        return None, problem(N_("Question %(number)s: give only one answer."))
    value = present[0].strip()

    if question.type == QuestionType.TRUE_FALSE:
        if value not in ("true", "false"):
            return None, problem(N_("Question %(number)s: choose True or False."))
        return Response(question.id, boolean=value == "true"), []

    if len(value) > MAX_TEXT_LENGTH:
        return None, problem(N_("Question %(number)s: the answer is too long (%(length)s characters; at most "
                                "%(limit)s)."), length=len(value), limit=MAX_TEXT_LENGTH)

    if question.type == QuestionType.NUMERIC:
        number = _parse_number(value)
        if number is None:
            return None, problem(N_("Question %(number)s: enter a number, such as 12 or 4.5 (a decimal comma, 4,5, "
                                    "works too)."))
        return Response(question.id, text=value, number=number), []

    if question.type == QuestionType.SHORT_ANSWER:
        return Response(question.id, text=value), []

    raise ValueError(f"unknown question type {question.type!r}")  # pragma: no cover - the enum is closed


def _questions_of(quiz: Quiz, question_ids: Sequence[str]) -> list[Question]:
    by_id = {question.id: question for question in quiz.questions}
    if len(set(question_ids)) != len(question_ids):
        raise ValueError("an attempt lists each question once")
    missing = [qid for qid in question_ids if qid not in by_id]
    if missing:
        raise ValueError(f"questions {missing} are not in quiz {quiz.id!r}")
    return [by_id[qid] for qid in question_ids]


def parse_submission(
    quiz: Quiz,
    question_ids: Sequence[str],
    raw: Mapping[str, list[str]],
    *,
    ignore: Collection[str] = DEFAULT_IGNORED_FIELDS,
) -> dict[str, Response]:
    """Validate a submitted form against the attempt's questions; every answer, or SubmissionError with all problems.

    ``question_ids`` are the attempt's questions in the attempt's order (positions in messages follow it).
    ``ValueError`` (a programming error, not the learner's) when ``question_ids`` are not questions of the quiz.
    """
    questions = _questions_of(quiz, question_ids)
    problems: list[Phrase] = []
    by_question: dict[str, list[Phrase]] = {}
    responses: dict[str, Response] = {}
    for position, question in enumerate(questions, start=1):
        values = raw.get(question.id, [])
        if isinstance(values, str):  # a plain dict of strings: one value
            values = [values]
        response, found = _parse_one(question, position, list(values))
        if found:
            problems.extend(found)
            by_question[question.id] = found
        elif response is not None:
            responses[question.id] = response
    attempt_ids = set(question_ids)
    unexpected = sorted(key for key in raw if key not in attempt_ids and key not in ignore)
    if unexpected:
        singular, plural = Nn_("The form contained %(num)s answer for a question that is not part of this attempt. "
                               "Reload the quiz and submit again.",
                               "The form contained %(num)s answers for questions that are not part of this attempt. "
                               "Reload the quiz and submit again.")
        problems.append(Phrase(singular, plural=plural, num=len(unexpected)))
    if problems:
        raise SubmissionError(problems, by_question)
    return responses


# --- grading ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChoiceFeedback:
    """One choice on the results page. ``feedback`` is the author's note, given only for choices the learner picked."""

    id: str
    html: str
    picked: bool
    correct: bool
    feedback: str


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question_id: str
    type: QuestionType
    score: float
    max_score: float
    outcome: Outcome
    response: Response | None
    choices: tuple[ChoiceFeedback, ...]  # choice questions: every choice, in display order
    correct_answers: tuple[str, ...]  # true_false, short_answer, numeric: the expected answer(s) as text
    feedback: str  # feedback_correct when fully correct, else feedback_incorrect
    explanation: str


@dataclass(frozen=True, slots=True)
class AttemptResult:
    score: float
    max_score: float
    percent: float  # 0..100, rounded to 2 decimals
    passed: bool
    questions: tuple[QuestionResult, ...]  # in the attempt's order


def normalise_answer(text: str, *, case_sensitive: bool = False) -> str:
    """How short answers are compared: NFKC, trimmed, whitespace collapsed, case-folded unless case-sensitive."""
    normal = " ".join(unicodedata.normalize("NFKC", text).split())
    return normal if case_sensitive else normal.casefold()


@lru_cache(maxsize=4096)
def _accepted(answers: tuple[str, ...], case_sensitive: bool) -> frozenset[str]:
    return frozenset(normalise_answer(answer, case_sensitive=case_sensitive) for answer in answers)


def _format_number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else repr(value)


def _choice_fraction(question: Question, picked: set[str]) -> float:
    correct_ids = {choice.id for choice in question.choices if choice.correct}
    if question.type == QuestionType.SINGLE_CHOICE:
        return 1.0 if len(picked) == 1 and picked <= correct_ids else 0.0
    right = len(picked & correct_ids)
    wrong = len(picked - correct_ids)
    if not correct_ids:  # not a valid question; treat "pick nothing" as the only right answer
        return 1.0 if not picked else 0.0
    return max(0.0, (right - wrong) / len(correct_ids))


def _ordered_choices(question: Question, choice_order: Sequence[str] | None) -> tuple[Choice, ...]:
    if not choice_order:
        return question.choices
    by_id = {choice.id: choice for choice in question.choices}
    if sorted(choice_order) != sorted(by_id):
        raise ValueError(f"choice order {list(choice_order)} does not match the choices of {question.id!r}")
    return tuple(by_id[choice_id] for choice_id in choice_order)


def grade_question(
    question: Question, response: Response | None, *, choice_order: Sequence[str] | None = None
) -> QuestionResult:
    """Score one question; ``response=None`` (unanswered) scores 0. ``choice_order`` orders the choices shown."""
    if response is not None and response.question_id != question.id:
        raise ValueError(f"response for {response.question_id!r} given to question {question.id!r}")
    fraction = 0.0
    choices: tuple[ChoiceFeedback, ...] = ()
    correct_answers: tuple[str, ...] = ()
    if question.type in _CHOICE_TYPES:
        picked = set(response.choice_ids) if response is not None else set()
        fraction = _choice_fraction(question, picked)
        choices = tuple(
            ChoiceFeedback(choice.id, choice.html, choice.id in picked, choice.correct,
                           choice.feedback if choice.id in picked else "")
            for choice in _ordered_choices(question, choice_order)
        )
    elif question.type == QuestionType.TRUE_FALSE:
        if question.correct_bool is not None:
            correct_answers = ("true" if question.correct_bool else "false",)
            if response is not None and response.boolean is not None:
                fraction = 1.0 if response.boolean == question.correct_bool else 0.0
    elif question.type == QuestionType.SHORT_ANSWER:
        correct_answers = question.accepted_answers
        if response is not None and response.text is not None:
            given = normalise_answer(response.text, case_sensitive=question.case_sensitive)
            fraction = 1.0 if given in _accepted(question.accepted_answers, question.case_sensitive) else 0.0
    elif question.type == QuestionType.NUMERIC:
        answer = question.numeric_answer
        if answer is not None:
            tolerance = max(0.0, question.tolerance)
            shown = _format_number(answer)
            correct_answers = (f"{shown} ± {_format_number(tolerance)}" if tolerance else shown,)
            if response is not None and response.number is not None:
                slack = tolerance + NUMERIC_EPSILON * max(1.0, abs(answer))
                fraction = 1.0 if abs(response.number - answer) <= slack else 0.0

    max_score = float(question.points)
    score = min(max_score, max(0.0, round(fraction * max_score, 6)))
    if score >= max_score:
        outcome = Outcome.CORRECT
    elif score > 0:
        outcome = Outcome.PARTIAL
    else:
        outcome = Outcome.INCORRECT
    feedback = question.feedback_correct if outcome == Outcome.CORRECT else question.feedback_incorrect
    return QuestionResult(
        question_id=question.id, type=question.type, score=score, max_score=max_score, outcome=outcome,
        response=response, choices=choices, correct_answers=correct_answers, feedback=feedback,
        explanation=question.explanation,
    )


def grade_attempt(
    quiz: Quiz,
    question_ids: Sequence[str],
    responses: Mapping[str, Response],
    *,
    choice_order: Mapping[str, Sequence[str]] | None = None,
) -> AttemptResult:
    """Grade the attempt's questions (in its order); a question without a response scores 0."""
    questions = _questions_of(quiz, question_ids)
    if not questions:
        raise ValueError("an attempt has at least one question")
    order = choice_order or {}
    results = tuple(
        grade_question(question, responses.get(question.id), choice_order=order.get(question.id))
        for question in questions
    )
    max_score = math.fsum(result.max_score for result in results)
    score = min(max_score, round(math.fsum(result.score for result in results), 6))
    percent = round(100 * score / max_score, 2) if max_score > 0 else 0.0
    return AttemptResult(score=score, max_score=max_score, percent=percent, passed=percent >= quiz.pass_mark,
                         questions=results)


# --- per-attempt layout ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptLayout:
    question_ids: tuple[str, ...]
    choice_order: dict[str, tuple[str, ...]]  # every question; () for questions without choices


def new_layout_seed() -> int:
    """The seed of a new attempt's (or preview's) order of questions and choices."""
    return secrets.randbelow(2**31)


def attempt_layout(quiz: Quiz, seed: int) -> AttemptLayout:
    """The order of questions and choices for one attempt: the same for the same seed, identity where not shuffled."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible order, not a secret
    question_ids = [question.id for question in quiz.questions]
    if quiz.shuffle_questions:
        rng.shuffle(question_ids)
    choice_order: dict[str, tuple[str, ...]] = {}
    for question in quiz.questions:  # quiz order, so a question's choice order does not depend on where it lands
        ids = [choice.id for choice in question.choices]
        if quiz.shuffle_choices:
            rng.shuffle(ids)
        choice_order[question.id] = tuple(ids)
    return AttemptLayout(question_ids=tuple(question_ids), choice_order=choice_order)


# --- what the browser may see ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicChoice:
    id: str
    html: str


@dataclass(frozen=True, slots=True)
class PublicQuestion:
    """A question as sent to the browser before submission: nothing that gives the answer away."""

    id: str
    type: QuestionType
    prompt_html: str
    points: float
    choices: tuple[PublicChoice, ...]


def public_question_view(question: Question, choice_order: Sequence[str] | None = None) -> PublicQuestion:
    """What a template may show before submission; ``choice_order`` from the attempt's layout (empty: quiz order)."""
    return PublicQuestion(
        id=question.id, type=question.type, prompt_html=question.prompt_html, points=float(question.points),
        choices=tuple(PublicChoice(choice.id, choice.html) for choice in _ordered_choices(question, choice_order)),
    )


def public_attempt_view(quiz: Quiz, layout: AttemptLayout) -> tuple[PublicQuestion, ...]:
    """Every question of the attempt, in its order, as ``public_question_view`` gives it."""
    return tuple(
        public_question_view(question, layout.choice_order.get(question.id))
        for question in _questions_of(quiz, layout.question_ids)
    )
