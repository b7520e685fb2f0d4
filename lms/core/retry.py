"""When to try again after a failed delivery: exponential backoff with jitter, and when to stop."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0

    def delay_after(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after the ``attempt``-th failed attempt (1 for the first): base, twice that, four times …
        up to the cap, of which a random half is taken off ("equal jitter"), so that messages that failed together
        (the mail server was down) do not all come back at the same moment, while each still waits at least half
        of its step."""
        step = min(self.cap_seconds, self.base_seconds * 2 ** max(attempt - 1, 0))
        return step / 2 + (rng or random).uniform(0, step / 2)

    def gives_up_after(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
