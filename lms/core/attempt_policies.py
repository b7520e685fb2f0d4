"""Attempt policies of a quiz: which attempt's score counts (best or last), how many attempts are left, and whether
the quiz is passed. Pure: no Flask, no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lms.core.packages.model import Quiz, ScorePolicy


@dataclass(frozen=True, slots=True)
class ScoredAttempt:
    """A submitted attempt as the policies need it."""

    number: int  # 1-based attempt number for this learner and quiz
    percent: float
    passed: bool
    submitted_at: datetime


def kept_score(policy: ScorePolicy, attempts: Sequence[ScoredAttempt]) -> ScoredAttempt | None:
    """The attempt whose score counts: best = highest percent (ties: earliest), last = latest submitted."""
    if not attempts:
        return None
    if ScorePolicy(policy) == ScorePolicy.LAST:
        return max(attempts, key=lambda a: (a.submitted_at, a.number))
    earliest_first = sorted(attempts, key=lambda a: (a.submitted_at, a.number))
    return max(earliest_first, key=lambda a: a.percent)  # max() keeps the first of equal maxima


def attempts_remaining(quiz: Quiz, used: int) -> int | None:
    """How many more attempts the learner may start; None when unlimited."""
    if quiz.max_attempts is None:
        return None
    return max(0, quiz.max_attempts - used)


def quiz_passed(quiz: Quiz, attempts: Sequence[ScoredAttempt]) -> bool:
    """Passed when any submitted attempt passed: a quiz once passed stays passed, whatever the score policy."""
    # Under "best" this is the kept attempt's result; under "last" it keeps an earlier pass (see the module docstring).
    return any(attempt.passed for attempt in attempts)
