"""What a report of watched intervals may add: the union of what was played, never more than the time allows."""

import pytest

from lms.core.watching import ImpossibleReport, apply_report, covered, is_watched, merge


def test_intervals_merge_into_their_union():
    assert merge([(5, 8), (0, 2), (1, 3), (8, 9)]) == [(0, 3), (5, 9)]
    assert covered([(0, 2), (1, 3), (10, 11)]) == 4


def test_seeking_ahead_counts_only_what_was_played():
    first = apply_report([], [[0, 2]], 2, 100, 0)
    after_seek = apply_report(first.intervals, [[90, 95]], 95, 100, 10)
    assert after_seek.watched == 7 and not is_watched(after_seek.watched, 100, 0.9)


def test_watching_the_same_part_twice_counts_once():
    first = apply_report([], [[0, 8]], 8, 100, 0)
    again = apply_report(first.intervals, [[0, 8]], 8, 100, 8)
    assert again.watched == 8


@pytest.mark.parametrize(("reported", "position", "elapsed"), [
    ([[0, 5]], 150, 0),               # a position past the end
    ([[0, 5]], -1, 0),                # before the start
    ([[0, 150]], 5, 0),               # an interval past the end
    ([[6, 2]], 5, 0),                 # backwards
    ([[0, 60]], 60, 0),               # a minute watched before the first report could be sent
    ([[0, 90]], 90, 20),              # 90 seconds within 20 seconds: more than double speed allows
    ([[0, 1, 2]], 1, 0),              # not a pair
])
def test_impossible_reports_are_refused(reported, position, elapsed):
    with pytest.raises(ImpossibleReport):
        apply_report([], reported, position, 100, elapsed)


def test_double_speed_is_possible():
    assert apply_report([], [[0, 8]], 8, 100, 0).watched == 8
    assert apply_report([(0, 8)], [[8, 48]], 48, 100, 20).watched == 48


def test_many_quick_reports_cannot_add_up_to_more_than_the_time_allows():
    watched = apply_report([], [[0, 10]], 10, 1000, 0)
    watched = apply_report(watched.intervals, [[10, 15]], 15, 1000, 1)  # within the slack
    with pytest.raises(ImpossibleReport):
        apply_report(watched.intervals, [[15, 30]], 30, 1000, 2)  # 30 s within 2 s: not even at double speed


def test_the_lesson_is_watched_at_the_configured_share():
    assert is_watched(90, 100, 0.9) and not is_watched(89.9, 100, 0.9) and is_watched(50, 100, 0.5)
