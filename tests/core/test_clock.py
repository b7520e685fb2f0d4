"""The one clock, and the fixed start the browser tests give it (so their screenshots show the same dates)."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from lms.core import clock

MOMENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def real_time_afterwards():
    yield
    clock.run_in_real_time()


def test_the_clock_is_the_real_utc_time_by_default():
    before = datetime.now(UTC)
    now = clock.now()
    assert now.tzinfo is not None and before <= now <= datetime.now(UTC)


def test_run_from_starts_at_the_moment_and_keeps_instants_in_order():
    clock.run_from(MOMENT, pace=0.001)
    first = clock.now()
    time.sleep(0.01)
    second = clock.now()
    assert MOMENT <= first < second < MOMENT + timedelta(seconds=1)
    assert first.replace(microsecond=0) == MOMENT  # shown to the second (let alone the minute), the time is fixed


def test_run_from_at_real_pace_moves_like_the_real_clock():
    clock.run_from(MOMENT)
    time.sleep(0.05)
    assert timedelta(seconds=0.04) < clock.now() - MOMENT < timedelta(seconds=5)


def test_run_from_refuses_a_naive_moment_and_a_stopped_clock():
    with pytest.raises(ValueError, match="aware"):
        clock.run_from(datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match="forward"):
        clock.run_from(MOMENT, pace=0)


def test_run_in_real_time_goes_back():
    clock.run_from(MOMENT)
    clock.run_in_real_time()
    assert clock.now() - datetime.now(UTC) < timedelta(seconds=1)
