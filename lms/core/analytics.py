"""Statistics for progress reports and quiz analytics. Pure: no Flask, no database, no I/O.

Which attempts count
    Quiz statistics use each learner's FIRST submitted attempt at the quiz's current questions (same content hash):
    later attempts are coached by the review page and would make every question look easier. The service picks the
    attempts; the functions here take one row of question scores per attempt.

Facility index (per question)
    F = mean(x_i) / max_x, the average score on the question as a fraction of its points (1.0: everybody got it
    right). Moodle's "facility index", from 0 to 1 here (Moodle prints it as a percentage).

Discrimination index (per question), as Moodle computes it
    The Pearson correlation, over the attempts, between x_i (the score on the question) and y_i = T_i - x_i (the
    score on the REST of the test, so that the question does not correlate with itself):

        r = sum((x_i - mean x)(y_i - mean y)) / sqrt(sum((x_i - mean x)^2) * sum((y_i - mean y)^2))

    None when it is undefined: fewer than two attempts, or no variation in x or in y (everybody scored the same).
    Moodle shows it as 100 x r. Good questions have r > 0.3; a negative r means learners who did well on the rest of
    the test did worse on this question: usually a wrong answer key or an ambiguous question.

Broken-question flags
    With at least ``min_attempts`` attempts (default 10): facility < 0.1 ("almost nobody right"), facility > 0.9
    ("almost everybody right"), and discrimination < 0 ("negative discrimination").

Harder in one language (courses with translations)
    Per question, the facility of the first attempts taken in each language. A language is flagged as *much harder*
    when it has at least MIN_ATTEMPTS_PER_LANGUAGE (5) attempts at the question, the attempts in all the other
    languages together number at least as many, and its facility is at least LANGUAGE_GAP (0.25, i.e. 25
    percentage points) below theirs: the same question, graded the same way, is then very likely worded worse (or
    wrongly) in that language: a translation problem to look at.

Completion funnel
    For each module in course order: how many learners completed it, from the per-learner module completion
    computed by lms.core.progress.course_progress (the one progress rule).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lms.core.i18n import N_

LOW_FACILITY = 0.1
HIGH_FACILITY = 0.9
MIN_ATTEMPTS_FOR_FLAGS = 10
MIN_ATTEMPTS_PER_LANGUAGE = 5
LANGUAGE_GAP = 0.25


def median(values: Iterable[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None for no values."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return None
    middle = n // 2
    if n % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's correlation coefficient; None when undefined (n < 2 or either series constant)."""
    if len(xs) != len(ys):
        raise ValueError("the two series must have the same length")
    n = len(xs)
    if n < 2:
        return None
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def facility_index(scores: Sequence[float], max_score: float) -> float | None:
    """Mean score as a fraction of the question's points; None without attempts or points."""
    if not scores or max_score <= 0:
        return None
    return math.fsum(scores) / (len(scores) * max_score)


def discrimination_index(question_scores: Sequence[float], attempt_totals: Sequence[float]) -> float | None:
    """Correlation between the question's score and the rest of the test (total minus this question)."""
    rest = [total - score for score, total in zip(question_scores, attempt_totals, strict=True)]
    return pearson(question_scores, rest)


@dataclass(frozen=True, slots=True)
class QuestionStats:
    question_id: str
    attempts: int
    facility: float | None
    discrimination: float | None
    flags: tuple[str, ...]


def question_flags(attempts: int, facility: float | None, discrimination: float | None, *,
                   min_attempts: int = MIN_ATTEMPTS_FOR_FLAGS) -> tuple[str, ...]:
    """Reasons a question looks broken (see the module docstring); empty when it looks fine or data is too thin."""
    if attempts < min_attempts:
        return ()
    flags = []
    if facility is not None and facility < LOW_FACILITY:
        flags.append("almost nobody answers it correctly")
    if facility is not None and facility > HIGH_FACILITY:
        flags.append("almost everybody answers it correctly")
    if discrimination is not None and discrimination < 0:
        flags.append("negative discrimination")
    return tuple(flags)


def question_statistics(question_ids: Sequence[str], max_scores: Mapping[str, float],
                        attempts: Sequence[Mapping[str, float]], *,
                        min_attempts: int = MIN_ATTEMPTS_FOR_FLAGS) -> list[QuestionStats]:
    """Per question: facility, discrimination and flags, from one ``{question_id: score}`` per attempt.

    A question missing from an attempt scores 0 in it (unanswered); the attempt's total is the sum over
    ``question_ids``."""
    totals = [math.fsum(attempt.get(qid, 0.0) for qid in question_ids) for attempt in attempts]
    stats = []
    for qid in question_ids:
        scores = [attempt.get(qid, 0.0) for attempt in attempts]
        facility = facility_index(scores, max_scores.get(qid, 0.0))
        discrimination = discrimination_index(scores, totals) if attempts else None
        stats.append(QuestionStats(qid, len(scores), facility, discrimination,
                                   question_flags(len(scores), facility, discrimination, min_attempts=min_attempts)))
    return stats


def choice_counts(choice_ids: Sequence[str], picks: Iterable[Sequence[str]]) -> dict[str, int]:
    """How often each choice was picked (a multiple-choice answer counts once for each choice it picks). Picks of
    unknown ids (a choice removed since) are ignored."""
    counts = dict.fromkeys(choice_ids, 0)
    for picked in picks:
        for choice_id in set(picked):
            if choice_id in counts:
                counts[choice_id] += 1
    return counts


@dataclass(frozen=True, slots=True)
class FunnelStep:
    key: str
    label: str
    count: int
    percent: float  # of the learners at the top of the funnel (the enrolled)


def funnel(enrolled: int, steps: Sequence[tuple[str, str, int]]) -> list[FunnelStep]:
    """The enrolled learners, then how many reached each step ``(key, label, count)``, as a share of the enrolled."""
    rows = [("enrolled", N_("Enrolled"), enrolled), *steps]
    return [FunnelStep(key, label, count, round(100 * count / enrolled, 1) if enrolled else 0.0)
            for key, label, count in rows]


@dataclass(frozen=True)
class LanguageFacility:
    language: str
    attempts: int
    facility: float | None
    much_harder: bool  # flagged: see "Harder in one language" above


def facility_by_language(scores: Sequence[tuple[str, float]], max_score: float, languages: Sequence[str], *,
                         min_attempts: int = MIN_ATTEMPTS_PER_LANGUAGE,
                         gap: float = LANGUAGE_GAP) -> tuple[LanguageFacility, ...]:
    """One question's facility per language (in ``languages``' order), from (language, score) per attempt."""
    by_language: dict[str, list[float]] = {language: [] for language in languages}
    for language, score in scores:
        by_language.setdefault(language, []).append(score)
    result = []
    for language, own in by_language.items():
        others = [score for other, values in by_language.items() if other != language for score in values]
        facility = facility_index(own, max_score)
        rest = facility_index(others, max_score)
        harder = (len(own) >= min_attempts and len(others) >= min_attempts and facility is not None
                  and rest is not None and rest - facility >= gap - 1e-9)
        result.append(LanguageFacility(language, len(own), facility, harder))
    return tuple(result)
