"""Push notifications for events.watch channels: POSTs with X-Goog-* headers and an empty body, sent from a
background thread so API calls never wait on a receiver. Google does not sign these; the channel token is the
receiver's only check."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from email.utils import formatdate
from typing import Any

import httpx2

USER_AGENT = "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)"


@dataclass
class Push:
    channel_id: str
    address: str
    headers: dict[str, str]
    state: str
    message_number: int
    status: int | None = None
    error: str | None = None
    done: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def headers_for(
    channel_id: str,
    token: str | None,
    expiration_ms: int,
    resource_id: str,
    resource_uri: str,
    state: str,
    number: int,
) -> dict[str, str]:
    headers = {
        "X-Goog-Channel-ID": channel_id,
        "X-Goog-Channel-Expiration": formatdate(expiration_ms / 1000, usegmt=True),
        "X-Goog-Resource-ID": resource_id,
        "X-Goog-Resource-URI": resource_uri,
        "X-Goog-Resource-State": state,
        "X-Goog-Message-Number": str(number),
        "User-Agent": USER_AGENT,
    }
    if token is not None:
        headers["X-Goog-Channel-Token"] = token
    return headers


class PushDispatcher:
    def __init__(self, client_factory: Callable[[], httpx2.Client]) -> None:
        self._client_factory = client_factory
        self._queue: queue.Queue[Push] = queue.Queue()
        self._pushes: list[Push] = []
        self._lock = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None

    def send(self, push: Push) -> None:
        with self._lock:
            self._pushes.append(push)
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="google-emulator-push", daemon=True)
                self._thread.start()
        self._queue.put(push)

    def _work(self) -> None:
        client = self._client_factory()
        while True:
            push = self._queue.get()
            try:
                response = client.post(push.address, headers=push.headers, content=b"")
                push.status = response.status_code
            except httpx2.HTTPError as error:
                push.error = f"{type(error).__name__}: {error}"
            finally:
                with self._lock:
                    push.done = True
                    self._pending -= 1
                    self._lock.notify_all()

    def pushes(self) -> list[dict[str, Any]]:
        with self._lock:
            return [push.to_dict() for push in self._pushes]

    def clear(self) -> None:
        with self._lock:
            self._pushes = [push for push in self._pushes if not push.done]

    def wait_idle(self, timeout: float) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout)
