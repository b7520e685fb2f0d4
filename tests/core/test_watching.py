"""What a report of watched intervals may add: the union of what was played, never more than the time allows."""

import pytest

from lms.core.watching import ImpossibleReport, apply_report, covered, is_watched, merge


def test_intervals_merge_into_their_union():
    assert merge([(5, 8), (0, 2), (1, 3), (8, 9)]) == [(0, 3), (5, 9)]
    assert covered([(0, 2), (1, 3), (10, 11)]) == 4


def test_seeking_ahead_counts_only_what_was_played():
    first = apply_report([], [[0, 2]], 2, 100, None)
    after_seek = apply_report(first.intervals, [[90, 95]], 95, 100, 10)
    assert after_seek.watched == 7 and not is_watched(after_seek.watched, 100, 0.9)


def test_watching_the_same_part_twice_counts_once():
    first = apply_report([], [[0, 8]], 8, 100, None)
    again = apply_report(first.intervals, [[0, 8]], 8, 100, 8)
    assert again.watched == 8


@pytest.mark.parametrize(("reported", "position", "elapsed"), [
    ([[0, 5]], 150, None),            # a position past the end
    ([[0, 5]], -1, None),             # before the start
    ([[0, 150]], 5, None),            # an interval past the end
    ([[6, 2]], 5, None),              # backwards
    ([[0, 60]], 60, None),            # a minute watched before the first report could be sent
    ([[0, 90]], 90, 20),              # 90 seconds in 20 seconds: more than double speed allows
    ([[0, 1, 2]], 1, None),           # not a pair
])
def test_impossible_reports_are_refused(reported, position, elapsed):
    with pytest.raises(ImpossibleReport):
        apply_report([], reported, position, 100, elapsed)


def test_double_speed_is_possible():
    assert apply_report([], [[0, 8]], 8, 100, None).watched == 8
    assert apply_report([(0, 8)], [[8, 48]], 48, 100, 20).watched == 48


def test_the_lesson_is_watched_at_the_configured_share():
    assert is_watched(90, 100, 0.9) and not is_watched(89.9, 100, 0.9) and is_watched(50, 100, 0.5)
