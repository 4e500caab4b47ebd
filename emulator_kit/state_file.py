"""An emulator's state in a JSON file across restarts: written atomically, and either after every change or
behind, at most once per `delay` seconds by a background thread (and at exit, and on `flush()`), since the
file holds everything and writing it after each request costs more the longer the emulator runs."""

from __future__ import annotations

import atexit
import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


def write_atomically(text: str, path: str) -> None:
    """A temporary file renamed over the old one, so a crash mid-write never leaves half a file behind."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        out.write(text)
    os.replace(temporary, target)


def read_json(path: str) -> dict[str, Any] | None:
    if not Path(path).exists():
        return None
    with open(path) as handle:
        data: dict[str, Any] = json.load(handle)
    return data


class StateSaver:
    """Writes `serialize()` (the state as JSON text, taken under `lock`) to `path` when told of a change: at
    once with `delay` 0, otherwise behind. One write at a time, so an older snapshot never lands last."""

    def __init__(
        self, path: str, serialize: Callable[[], str], lock: threading.RLock, delay: float = 0.0
    ) -> None:
        self.path = path
        self.delay = delay
        self._serialize = serialize
        self._lock = lock
        self._unsaved = threading.Event()
        self._writing = threading.Lock()
        self._thread: threading.Thread | None = None

    def changed(self) -> None:
        if self.delay <= 0:
            self.save()
            return
        self._unsaved.set()
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._save_behind, name="emulator-state-saver", daemon=True
            )
            self._thread.start()
            atexit.register(self.flush)

    def flush(self) -> None:
        """Write changes not saved yet; nothing to do otherwise."""
        if self._unsaved.is_set():
            self.save()

    def save(self) -> None:
        with self._writing:
            with self._lock:
                self._unsaved.clear()
                text = self._serialize()
            write_atomically(text, self.path)

    def _save_behind(self) -> None:
        while True:
            self._unsaved.wait()
            # Changes of the next `delay` seconds go into the same write.
            threading.Event().wait(self.delay)
            self.flush()
