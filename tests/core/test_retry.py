"""Backoff between delivery attempts: doubling up to a cap, jittered, and a last attempt."""

import random

from lms.core.retry import RetryPolicy


def test_delays_double_with_each_attempt_and_stay_within_jitter_bounds():
    policy = RetryPolicy(base_seconds=10, cap_seconds=10_000)
    rng = random.Random(1)
    for attempt, step in [(1, 10), (2, 20), (3, 40), (4, 80)]:
        delays = [policy.delay_after(attempt, rng) for _ in range(200)]
        assert all(step / 2 <= delay <= step for delay in delays)
        assert max(delays) - min(delays) > step / 4  # really jittered, not a constant


def test_delays_stop_growing_at_the_cap():
    policy = RetryPolicy(base_seconds=30, cap_seconds=600)
    assert all(300 <= policy.delay_after(20, random.Random(seed)) <= 600 for seed in range(50))


def test_the_last_attempt_is_the_configured_one():
    policy = RetryPolicy(max_attempts=3)
    assert not policy.gives_up_after(2)
    assert policy.gives_up_after(3)
