"""Google's time formats; the clock is emulator_kit's (wall clock served, hand-wound in tests)."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator_kit.clock import Clock, ManualClock, SystemClock

__all__ = ["Clock", "ManualClock", "SystemClock"]


def rfc3339_ms(timestamp: float) -> str:
    """Google's `created`/`updated` format: UTC with milliseconds, e.g. 2026-12-07T17:37:21.000Z."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def rfc3339(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(value: str) -> float:
    """An RFC 3339 timestamp WITH its offset (Google requires one for timeMin/timeMax), else ValueError."""
    moment = datetime.fromisoformat(value.replace("z", "Z"))
    if moment.tzinfo is None:
        raise ValueError(f"no time zone offset in {value!r}")
    return moment.timestamp()
