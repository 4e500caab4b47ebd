"""Zoom's per-account request limits by plan and category, and the per-host daily create/update cap."""

from __future__ import annotations

import threading

from .clock import iso_z, next_utc_midnight, utc_day
from .errors import ZoomError

LIGHT, MEDIUM, HEAVY = "Light", "Medium", "Heavy"

PER_SECOND = {
    "Free": {LIGHT: 4, MEDIUM: 2, HEAVY: 1},
    "Pro": {LIGHT: 30, MEDIUM: 20, HEAVY: 10},
    "Business": {LIGHT: 80, MEDIUM: 60, HEAVY: 40},
}
# Only Free accounts have per-category daily limits for these categories (zoom-api.md 5.1).
PER_DAY = {"Free": {LIGHT: 6000, MEDIUM: 2000, HEAVY: 1000}}

QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
DAILY_MESSAGE = (
    "You have reached the maximum daily rate limit for this API. "
    "Refer to the response header for details on when you can make another request."
)


def host_cap_message(cap: int) -> str:
    return (
        f"You have exceeded the daily rate limit ({cap}) of Meeting Create/Update API requests permitted for "
        "this particular user. You may resume these requests at GMT 00:00:00."
    )


class AccountRateLimiter:
    """Counts requests per account and category in fixed one-second and UTC-day windows (emulator clock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seconds: dict[tuple[str, str], tuple[int, int]] = {}
        self._days: dict[tuple[str, str, str], int] = {}

    def reset(self) -> None:
        with self._lock:
            self._seconds.clear()
            self._days.clear()

    def hit(self, account_id: str, plan: str, category: str, now: float) -> dict[str, str]:
        """Count one request; raise the 429 Zoom would send, else return the headers for the response."""
        with self._lock:
            second = int(now)
            window_second, count = self._seconds.get((account_id, category), (second, 0))
            if window_second != second:
                count = 0
            per_second = PER_SECOND[plan][category]
            if count >= per_second:
                raise qps_error(category, per_second)
            self._seconds[(account_id, category)] = (second, count + 1)
            headers = {"X-RateLimit-Category": category}
            daily_limit = PER_DAY.get(plan, {}).get(category)
            if daily_limit is None:
                return headers
            day_key = (account_id, category, utc_day(now))
            used = self._days.get(day_key, 0)
            if used >= daily_limit:
                raise daily_error(category, daily_limit, now)
            self._days[day_key] = used + 1
            headers.update(
                {"X-RateLimit-Limit": str(daily_limit), "X-RateLimit-Remaining": str(daily_limit - used - 1)}
            )
            return headers


def qps_error(category: str, limit: int) -> ZoomError:
    headers = {
        "X-RateLimit-Category": category,
        "X-RateLimit-Type": "QPS",
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
    }
    return ZoomError(429, 429, QPS_MESSAGE, headers=headers)


def daily_error(category: str, limit: int, now: float) -> ZoomError:
    headers = {
        "X-RateLimit-Category": category,
        "X-RateLimit-Type": "Daily-limit",
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "Retry-After": iso_z(next_utc_midnight(now)),
    }
    return ZoomError(429, 429, DAILY_MESSAGE, headers=headers)


def host_cap_error(cap: int, account_headers: dict[str, str]) -> ZoomError:
    """The per-host create/update cap: only the body tells it apart (zoom-api.md 5.3).

    Zoom was observed sending just the account-level headers of the request (`x-ratelimit-category`, and
    `x-ratelimit-limit`/`-remaining` where the account has a daily limit), without `X-RateLimit-Type` or
    `Retry-After`.
    """
    headers = {
        key: value
        for key, value in account_headers.items()
        if key.lower() in ("x-ratelimit-category", "x-ratelimit-limit", "x-ratelimit-remaining")
    }
    return ZoomError(429, 429, host_cap_message(cap), headers=headers)
