"""Graph's date formats; the clock is emulator_kit's (wall clock served, hand-wound in tests)."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator_kit.clock import Clock, ManualClock, SystemClock

__all__ = ["Clock", "ManualClock", "SystemClock"]


def iso_z(timestamp: float) -> str:
    """Graph's DateTimeOffset format for metadata (createdDateTime, ...): 7 fraction digits, Z."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def parse_offset_datetime(value: str) -> float:
    """An ISO 8601 date-time with an offset or Z (what Graph accepts in expirationDateTime)."""
    text = value.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    if "." in text:
        # Graph sends 7 fraction digits; Python reads at most 6.
        head, _, rest = text.partition(".")
        digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError("a time zone offset is required")
    return parsed.timestamp()
