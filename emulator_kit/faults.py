"""The mechanics of failures on demand, shared by the emulators: a dataclass of settings each emulator
defines (what its provider's failures look like), merged on update, counted down as used, an error rate
rolled per request, and a TCP reset for "the connection died"."""

from __future__ import annotations

import random
import socket
import struct
import threading
from dataclasses import asdict, fields
from typing import Any, Generic, Protocol, TypeVar


class FaultSettings(Protocol):
    paths: list[str]


Settings = TypeVar("Settings", bound=FaultSettings)


class FaultInjector(Generic[Settings]):
    """Holds the active settings (an instance of `settings_type`, a dataclass); request handling asks it
    what to do with each request. `kinds` names, per setting, the values it accepts."""

    def __init__(
        self, settings_type: type[Settings], kinds: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._type = settings_type
        self._kinds = kinds or {}
        self.config: Settings = settings_type()
        self._random = random.Random()

    def set(self, updates: dict[str, Any]) -> Settings:
        """Merge `updates` into the active settings; ValueError names an unknown setting or value."""
        with self._lock:
            unknown = set(updates) - {item.name for item in fields(self._type)}  # type: ignore[arg-type]
            if unknown:
                raise ValueError(f"unknown fault settings: {sorted(unknown)}")
            for name, allowed in self._kinds.items():
                if updates.get(name, getattr(self.config, name)) not in allowed:
                    raise ValueError(f"{name} must be one of {allowed}")
            self.config = self._type(**(asdict(self.config) | updates))  # type: ignore[call-overload]
            self._random = random.Random(getattr(self.config, "seed", None))
            return self.config

    def clear(self) -> None:
        with self._lock:
            self.config = self._type()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self.config)  # type: ignore[call-overload, no-any-return]

    def applies_to(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.config.paths)

    def take(self, name: str) -> bool:
        """Use up one of a counted fault (the next N requests ...); False when none is left."""
        with self._lock:
            left = getattr(self.config, name)
            if left > 0:
                setattr(self.config, name, left - 1)
                return True
            return False

    def roll_error(self) -> str | None:
        """The `error_kind` to inject into this request by the settings' `error_rate`, or None. The rate
        applies to `error_count` more requests, or until cleared when that is None."""
        with self._lock:
            config: Any = self.config
            if config.error_rate <= 0 or config.error_count == 0:
                return None
            if self._random.random() >= config.error_rate:
                return None
            if config.error_count is not None:
                config.error_count -= 1
            return str(config.error_kind)


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
