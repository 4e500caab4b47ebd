"""Failures on demand: the next N calls answer an error; responses lost after the change applied; latency."""

from __future__ import annotations

import socket
import struct
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

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


class FaultInjector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.config = FaultConfig()

    def set(self, updates: dict[str, Any]) -> FaultConfig:
        with self._lock:
            unknown = set(updates) - set(FaultConfig.__dataclass_fields__)
            if unknown:
                raise ValueError(f"unknown fault settings: {sorted(unknown)}")
            if updates.get("fail_with", self.config.fail_with) not in ERROR_KINDS:
                raise ValueError(f"fail_with must be one of {ERROR_KINDS}")
            self.config = FaultConfig(**(self.config.to_dict() | updates))
            return self.config

    def clear(self) -> None:
        with self._lock:
            self.config = FaultConfig()

    def applies_to(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.config.paths)

    def take_failure(self) -> str | None:
        with self._lock:
            if self.config.fail_next > 0:
                self.config.fail_next -= 1
                return self.config.fail_with
            return None

    def take_lost_response(self) -> bool:
        with self._lock:
            if self.config.lose_responses > 0:
                self.config.lose_responses -= 1
                return True
            return False


def reset_connection(environ: dict[str, Any]) -> bool:
    """Drop the client's TCP connection without an HTTP response; False where the server hides its socket."""
    sock = environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket):
        return False
    try:
        # Linger 0 turns the close into a TCP RST instead of an orderly FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return True
