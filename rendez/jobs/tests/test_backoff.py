from __future__ import annotations

import random

from rendez.jobs.backoff import retry_delay


def test_delays_double_per_attempt_within_jitter_bounds() -> None:
    rand = random.Random(7)
    for attempt in range(1, 8):
        ceiling = 10 * 2 ** (attempt - 1)
        for _ in range(200):
            delay = retry_delay(attempt, base=10, cap=10_000, rand=rand)
            assert ceiling / 2 <= delay <= ceiling


def test_delays_never_shrink_from_one_attempt_to_the_next() -> None:
    rand = random.Random(1)
    for _ in range(200):
        delays = [retry_delay(attempt, base=5, cap=10_000, rand=rand) for attempt in range(1, 10)]
        assert delays == sorted(delays)


def test_delays_stop_growing_at_the_cap() -> None:
    rand = random.Random(3)
    delays = [retry_delay(30, base=10, cap=600, rand=rand) for _ in range(200)]
    assert all(300 <= delay <= 600 for delay in delays)


def test_jitter_spreads_retries() -> None:
    rand = random.Random(11)
    delays = {round(retry_delay(4, base=10, cap=10_000, rand=rand), 3) for _ in range(50)}
    assert len(delays) > 40
