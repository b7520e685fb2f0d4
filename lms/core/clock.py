"""The one clock: every "now" in the engine comes from here, as an aware UTC datetime.

``run_from`` sets the clock to a chosen moment from which it runs on (at real speed, or slower): the browser tests
start every run on the same day, so the pages they photograph for docs/screenshots/ show the same dates and times
and the images do not change from one run to the next.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

_set: tuple[datetime, float, float] | None = None  # (the moment set, time.monotonic() then, pace)


def now() -> datetime:
    """The current moment in UTC (time-zone aware)."""
    if _set is None:
        return datetime.now(UTC)
    moment, started, pace = _set
    return moment + timedelta(seconds=(time.monotonic() - started) * pace)


def run_from(moment: datetime, *, pace: float = 1.0) -> None:
    """From now on, ``now()`` starts at ``moment`` (aware) and advances ``pace`` seconds for every real second: a
    small pace keeps every time shown to the minute the same for the whole run, while instants stay in order."""
    global _set
    if moment.tzinfo is None:
        raise ValueError("run_from needs an aware datetime")
    if pace <= 0:
        raise ValueError("the clock must move forward: pace > 0")
    _set = (moment.astimezone(UTC), time.monotonic(), pace)


def run_in_real_time() -> None:
    """Back to the real time (after run_from)."""
    global _set
    _set = None
