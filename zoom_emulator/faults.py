"""Failures on demand: latency, error rates, outages, 429 storms, XML bodies and lost responses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from emulator_kit import faults as kit
from emulator_kit.faults import reset_connection

__all__ = ["FaultConfig", "FaultInjector", "reset_connection"]

ERROR_KINDS = ("500", "502", "503", "504", "timeout", "reset")


@dataclass
class FaultConfig:
    latency_ms: int = 0
    error_rate: float = 0.0
    error_kind: str = "500"
    # Number of matching requests the error rate still applies to; None means until cleared.
    error_count: int | None = None
    outage_start: float | None = None
    outage_end: float | None = None
    rate_limit_storm: int = 0
    xml_errors: bool = False
    lose_create_response: int = 0
    token_errors_as_400: bool = False
    paths: list[str] = field(default_factory=lambda: ["/v2/"])
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector(kit.FaultInjector[FaultConfig]):
    """Holds the active fault configuration; request handling asks it what to do with each request."""

    def __init__(self) -> None:
        super().__init__(FaultConfig, {"error_kind": ERROR_KINDS})

    def set_at(self, updates: dict[str, Any], now: float) -> FaultConfig:
        """Merge `updates` into the active faults. `outage_seconds` opens an outage window starting now."""
        updates = dict(updates)
        outage_seconds = updates.pop("outage_seconds", None)
        if outage_seconds is not None:
            updates["outage_start"], updates["outage_end"] = now, now + float(outage_seconds)
        return self.set(updates)

    def in_outage(self, now: float) -> bool:
        start, end = self.config.outage_start, self.config.outage_end
        return start is not None and end is not None and start <= now < end
