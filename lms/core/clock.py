"""The one clock: every "now" in the engine comes from here, as an aware UTC datetime."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current moment in UTC (time-zone aware)."""
    return datetime.now(UTC)
