"""Zoom's date-time formats; the clock is emulator_kit's (wall clock served, hand-wound in tests)."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator_kit.clock import Clock, ManualClock, SystemClock

__all__ = ["Clock", "ManualClock", "SystemClock"]


def iso_z(timestamp: float) -> str:
    """Zoom's date-time format: seconds precision, UTC, trailing Z."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def next_utc_midnight(timestamp: float) -> float:
    day_start = datetime.fromtimestamp(timestamp, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day_start.timestamp() + 86400
