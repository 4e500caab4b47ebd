"""Time source of the emulator (wall clock, or a hand-wound clock in tests) and Google's time formats."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (UTC)."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that only moves when told to, so tests cross a token's hour or a channel's expiry instantly."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


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
