"""Failures on demand: latency, error rates, outages, 429 storms, XML bodies and lost responses."""

from __future__ import annotations

import random
import socket
import struct
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

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


class FaultInjector:
    """Holds the active fault configuration; request handling asks it what to do with each request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.config = FaultConfig()
        self._random = random.Random()

    def set(self, updates: dict[str, Any], now: float) -> FaultConfig:
        """Merge `updates` into the active faults. `outage_seconds` opens an outage window starting now."""
        updates = dict(updates)
        with self._lock:
            outage_seconds = updates.pop("outage_seconds", None)
            if outage_seconds is not None:
                updates["outage_start"], updates["outage_end"] = now, now + float(outage_seconds)
            known = set(FaultConfig.__dataclass_fields__)
            unknown = set(updates) - known
            if unknown:
                raise ValueError(f"unknown fault settings: {sorted(unknown)}")
            if updates.get("error_kind", self.config.error_kind) not in ERROR_KINDS:
                raise ValueError(f"error_kind must be one of {ERROR_KINDS}")
            data = self.config.to_dict() | updates
            self.config = FaultConfig(**data)
            self._random = random.Random(self.config.seed)
            return self.config

    def clear(self) -> None:
        with self._lock:
            self.config = FaultConfig()

    def applies_to(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.config.paths)

    def in_outage(self, now: float) -> bool:
        start, end = self.config.outage_start, self.config.outage_end
        return start is not None and end is not None and start <= now < end

    def take_storm(self) -> bool:
        with self._lock:
            if self.config.rate_limit_storm > 0:
                self.config.rate_limit_storm -= 1
                return True
            return False

    def roll_error(self) -> str | None:
        """The error kind to inject into this request, or None."""
        with self._lock:
            config = self.config
            if config.error_rate <= 0 or config.error_count == 0:
                return None
            if self._random.random() >= config.error_rate:
                return None
            if config.error_count is not None:
                config.error_count -= 1
            return config.error_kind

    def take_lost_create(self) -> bool:
        with self._lock:
            if self.config.lose_create_response > 0:
                self.config.lose_create_response -= 1
                return True
            return False


def reset_connection(environ: dict[str, Any]) -> bool:
    """Drop the client's TCP connection without an HTTP response; False where the server hides its socket."""
    sock = environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket):
        return False
    try:
        # Linger 0 turns the eventual close into a TCP RST instead of an orderly FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return True
