"""Failures on demand: latency, error rates, 429 storms and lost responses (applied, then dropped)."""

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
    error_kind: str = "503"
    error_count: int | None = None  # matching requests the error rate still applies to; None: until cleared
    throttle_count: int = 0  # next N matching requests answer 429 TooManyRequests with Retry-After
    retry_after_seconds: int = 5
    lose_response: int = 0  # next N writes (POST/PATCH/DELETE) are applied but the connection dies
    paths: list[str] = field(default_factory=lambda: ["/graph/"])
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.config = FaultConfig()
        self._random = random.Random()

    def set(self, updates: dict[str, Any]) -> FaultConfig:
        with self._lock:
            unknown = set(updates) - set(FaultConfig.__dataclass_fields__)
            if unknown:
                raise ValueError(f"unknown fault settings: {sorted(unknown)}")
            if updates.get("error_kind", self.config.error_kind) not in ERROR_KINDS:
                raise ValueError(f"error_kind must be one of {ERROR_KINDS}")
            self.config = FaultConfig(**(self.config.to_dict() | updates))
            self._random = random.Random(self.config.seed)
            return self.config

    def clear(self) -> None:
        with self._lock:
            self.config = FaultConfig()

    def applies_to(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.config.paths)

    def take(self, name: str) -> bool:
        """Use up one of a counted fault (`throttle_count`, `lose_response`)."""
        with self._lock:
            left = getattr(self.config, name)
            if left > 0:
                setattr(self.config, name, left - 1)
                return True
            return False

    def roll_error(self) -> str | None:
        with self._lock:
            config = self.config
            if config.error_rate <= 0 or config.error_count == 0:
                return None
            if self._random.random() >= config.error_rate:
                return None
            if config.error_count is not None:
                config.error_count -= 1
            return config.error_kind


def reset_connection(environ: dict[str, Any]) -> bool:
    """Drop the client's TCP connection without an HTTP response; False where the server hides its socket."""
    sock = environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket):
        return False
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return True
