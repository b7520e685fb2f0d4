"""How much of a video a learner has watched: the union of the intervals the player reports as played (seeking ahead
adds nothing), whether a report is possible at all, and whether the lesson is then complete.

Pure: the service keeps the intervals and the time of the last report; these rules decide what a report may add.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Interval = tuple[float, float]

# The fastest playback the player offers (the native player goes to 2x): all that a learner has watched of a video
# can be at most this many seconds per second of wall-clock time since their first report, plus the slack below (the
# first report comes a few seconds after playing starts; clocks and buffering). The budget is counted from the first
# report, not per report, so that many quick reports cannot add up to more than the time allows.
MAX_PLAYBACK_RATE = 2.0
SLACK_SECONDS = 15.0
# Seconds a reported position may pass the recorded duration (containers round their length).
END_TOLERANCE = 1.0
MAX_INTERVALS_PER_REPORT = 200


class ImpossibleReport(ValueError):
    """A progress report that no real player could have sent; nothing of it is kept."""


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering the same seconds; touching intervals are joined."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def covered(intervals: Iterable[Interval]) -> float:
    return sum(end - start for start, end in merge(intervals))


@dataclass(frozen=True)
class Watching:
    intervals: tuple[Interval, ...]
    position: float
    watched: float  # seconds covered by the intervals


def apply_report(previous: Sequence[Interval], reported: Sequence[Sequence[float]], position: float,
                 duration: float, seconds_since_first_report: float) -> Watching:
    """The watching after a report of played ``reported`` intervals and the current ``position``. Raises
    ImpossibleReport for positions outside the video, malformed intervals, or more watching in all than the
    wall-clock time since the learner's first report on this video allows (0 for the first report)."""
    if len(reported) > MAX_INTERVALS_PER_REPORT:
        raise ImpossibleReport("too many intervals in one report")
    limit = duration + END_TOLERANCE
    if not 0 <= position <= limit:
        raise ImpossibleReport(f"position {position} is outside the video (0 to {duration})")
    cleaned: list[Interval] = []
    for pair in reported:
        if len(pair) != 2:
            raise ImpossibleReport("an interval is a pair [start, end]")
        start, end = float(pair[0]), float(pair[1])
        if not 0 <= start <= end <= limit:
            raise ImpossibleReport(f"interval [{start}, {end}] is not within the video (0 to {duration})")
        cleaned.append((start, min(end, duration)))
    intervals = merge([*previous, *cleaned])
    watched = covered(intervals)
    if watched > seconds_since_first_report * MAX_PLAYBACK_RATE + SLACK_SECONDS:
        raise ImpossibleReport(f"{watched:.0f} seconds watched within {seconds_since_first_report:.0f} seconds")
    return Watching(tuple(intervals), min(position, duration), watched)


def is_watched(watched_seconds: float, duration: float, share: float) -> bool:
    """Whether enough of the video has been watched for the lesson to count as complete."""
    return duration > 0 and watched_seconds >= share * duration - 1e-6
