"""Every request an emulator received, in order, for tests to assert the exact calls made."""

from __future__ import annotations

import json
import threading
from typing import Any

from werkzeug.wrappers import Request, Response


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            entry["id"] = len(self._entries) + 1
            self._entries.append(entry)

    def matching(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """Requests received, oldest first. `path` matches exactly, or as a prefix when it ends with `*`."""
        with self._lock:
            entries = list(self._entries)
        if method:
            entries = [entry for entry in entries if entry["method"] == method.upper()]
        if path:
            if path.endswith("*"):
                entries = [entry for entry in entries if entry["path"].startswith(path[:-1])]
            else:
                entries = [entry for entry in entries if entry["path"] == path]
        return entries

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def exchange(
    request: Request, response: Response | None, *, timestamp: str, query: dict[str, Any]
) -> dict[str, Any]:
    """One log entry: what was asked and what was answered (None: the connection was dropped), so tests can
    check both sides of an exchange against the provider's documentation. `query` is given in the shape the
    emulator's tests read (single values, or lists where the provider repeats parameters)."""
    return {
        "method": request.method,
        "path": request.path,
        "query": query,
        "headers": {key.lower(): value for key, value in request.headers.items()},
        "body": _request_body(request),
        "status": response.status_code if response is not None else None,
        "response_headers": {key.lower(): value for key, value in response.headers.items()}
        if response
        else {},
        # A streamed answer (none today) would be consumed by reading it here, so it is not logged.
        "response_body": response.get_data(as_text=True)
        if response is not None and response.is_sequence
        else None,
        "connection_dropped": response is None,
        "timestamp": timestamp,
    }


def _request_body(request: Request) -> Any:
    if request.mimetype == "application/x-www-form-urlencoded":
        return request.form.to_dict()
    raw = request.get_data(cache=True, as_text=True)
    try:
        return json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        return raw
