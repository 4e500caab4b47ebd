"""Failures on demand: latency, error rates, 429 storms and lost responses (applied, then dropped)."""

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
    error_kind: str = "503"
    error_count: int | None = None  # matching requests the error rate still applies to; None: until cleared
    throttle_count: int = 0  # next N matching requests answer 429 TooManyRequests with Retry-After
    retry_after_seconds: int = 5
    lose_response: int = 0  # next N writes (POST/PATCH/DELETE) are applied but the connection dies
    paths: list[str] = field(default_factory=lambda: ["/graph/"])
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector(kit.FaultInjector[FaultConfig]):
    def __init__(self) -> None:
        super().__init__(FaultConfig, {"error_kind": ERROR_KINDS})
