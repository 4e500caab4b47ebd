"""Failures on demand: the next N calls answer an error; responses lost after the change applied; latency."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from emulator_kit import faults as kit
from emulator_kit.faults import reset_connection

__all__ = ["FaultConfig", "FaultInjector", "reset_connection"]

ERROR_KINDS = ("rateLimitExceeded", "userRateLimitExceeded", "429", "500", "503", "reset")


@dataclass
class FaultConfig:
    # The next `fail_next` matching calls answer `fail_with` instead of doing anything.
    fail_next: int = 0
    fail_with: str = "rateLimitExceeded"
    retry_after: int | None = None  # seconds, sent as Retry-After on 429/503 answers
    # The next `lose_responses` matching writes (POST/PATCH/PUT/DELETE) apply, then the connection drops.
    lose_responses: int = 0
    latency_ms: int = 0
    paths: list[str] = field(default_factory=lambda: ["/calendar/v3/"])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector(kit.FaultInjector[FaultConfig]):
    def __init__(self) -> None:
        super().__init__(FaultConfig, {"fail_with": ERROR_KINDS})

    def take_failure(self) -> str | None:
        """The error the next call answers instead of doing anything, or None."""
        return self.config.fail_with if self.take("fail_next") else None
