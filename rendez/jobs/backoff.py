"""Retry delays: exponential, capped, with "equal jitter" so a burst of failures does not retry in step."""

from __future__ import annotations

import random


def retry_delay(attempt: int, base: float, cap: float, rand: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based).

    The ceiling doubles per attempt up to `cap`; the delay is drawn from [ceiling/2, ceiling]. Keeping the
    lower half fixed means the delay of attempt n+1 is never below that of attempt n: waits grow, yet spread.
    """
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return ceiling / 2 + (rand or random).uniform(0, ceiling / 2)
