"""Outbound event notifications: signed as Zoom signs them, sent from a background thread, retried."""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx2

from .clock import Clock, iso_z
from .config import EmulatorConfig

USER_AGENT = "Zoom Marketplace/1.0a"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` keyed with the secret token (zoom-api.md 6.2)."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def encrypted_token(secret: str, plain_token: str) -> str:
    return hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()


@dataclass
class Attempt:
    at: str
    status: int | None
    error: str | None


@dataclass
class Delivery:
    id: int
    event: str
    url: str
    client_id: str
    body: str
    status: str = "pending"  # pending, delivered, failed
    attempts: list[Attempt] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["payload"] = json.loads(self.body)
        return data


class WebhookDispatcher:
    """Queues deliveries and works them off in one daemon thread so API requests never wait on a receiver."""

    def __init__(
        self, clock: Clock, config: EmulatorConfig, client_factory: Callable[[], httpx2.Client]
    ) -> None:
        self._clock = clock
        self._config = config
        self._client_factory = client_factory
        self._deliveries: list[Delivery] = []
        self._secrets: dict[int, str] = {}
        self._queue: list[tuple[float, int, int]] = []
        self._sequence = itertools.count()
        self._ids = itertools.count(1)
        self._in_flight = 0
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None
        self._client: httpx2.Client | None = None

    def send(self, url: str, secret: str, client_id: str, body: dict[str, Any]) -> Delivery:
        delivery = Delivery(
            id=next(self._ids),
            event=body["event"],
            url=url,
            client_id=client_id,
            body=json.dumps(body, separators=(",", ":")),
        )
        with self._condition:
            self._deliveries.append(delivery)
            self._secrets[delivery.id] = secret
            self._schedule(delivery.id, delay=0.0)
            self._ensure_thread()
        return delivery

    def deliveries(self) -> list[dict[str, Any]]:
        with self._condition:
            return [delivery.to_dict() for delivery in self._deliveries]

    def clear(self) -> None:
        with self._condition:
            self._deliveries.clear()
            self._secrets.clear()
            self._queue.clear()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until every due delivery is done; retries scheduled for later do not count as pending."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._in_flight or any(due <= time.monotonic() for due, _, _ in self._queue):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(min(remaining, 0.05))
            return True

    def validate_url(self, url: str, secret: str) -> dict[str, Any]:
        """Send the `endpoint.url_validation` challenge now and check the answer, like the Validate button."""
        plain = secrets.token_urlsafe(16)
        body = {"payload": {"plainToken": plain}, "event_ts": int(self._clock.now() * 1000)}
        body["event"] = "endpoint.url_validation"
        raw = json.dumps(body, separators=(",", ":")).encode()
        try:
            with self._client_factory() as client:
                response = client.post(url, content=raw, headers=self._headers(secret, raw))
        except httpx2.HTTPError as exc:
            return {"validated": False, "status": None, "error": repr(exc)}
        expected = {"plainToken": plain, "encryptedToken": encrypted_token(secret, plain)}
        try:
            answer = response.json()
        except ValueError:
            answer = None
        validated = response.status_code in (200, 204) and answer == expected
        return {
            "validated": validated,
            "status": response.status_code,
            "response": answer,
            "expected": expected,
        }

    def _schedule(self, delivery_id: int, delay: float) -> None:
        heapq.heappush(self._queue, (time.monotonic() + delay, next(self._sequence), delivery_id))
        self._condition.notify_all()

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="zoom-emulator-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            delivery = self._next_due()
            try:
                self._attempt(delivery)
            finally:
                with self._condition:
                    self._in_flight -= 1
                    self._condition.notify_all()

    def _next_due(self) -> Delivery:
        with self._condition:
            while True:
                if self._queue and self._queue[0][0] <= time.monotonic():
                    _, _, delivery_id = heapq.heappop(self._queue)
                    delivery = next((d for d in self._deliveries if d.id == delivery_id), None)
                    if delivery is not None:
                        self._in_flight += 1
                        return delivery
                    continue
                wait = self._queue[0][0] - time.monotonic() if self._queue else 1.0
                self._condition.wait(max(wait, 0.001))

    def _attempt(self, delivery: Delivery) -> None:
        raw = delivery.body.encode()
        status: int | None = None
        error: str | None = None
        try:
            if self._client is None:
                # One client for the worker thread: building one per attempt costs an SSL context each time.
                self._client = self._client_factory()
            response = self._client.post(
                delivery.url, content=raw, headers=self._headers(self._secret(delivery), raw)
            )
            status = response.status_code
        except httpx2.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        with self._condition:
            delivery.attempts.append(Attempt(at=iso_z(self._clock.now()), status=status, error=error))
            self._settle(delivery, status)

    def _settle(self, delivery: Delivery, status: int | None) -> None:
        if status is not None and 200 <= status < 300:
            delivery.status = "delivered"
            return
        # Zoom retries only server errors and network failures, never 3xx/4xx answers.
        retryable = status is None or status >= 500
        retries_done = len(delivery.attempts) - 1
        delays = self._config.webhook_retry_delays
        if retryable and retries_done < len(delays):
            self._schedule(delivery.id, delays[retries_done])
        else:
            delivery.status = "failed"

    def _secret(self, delivery: Delivery) -> str:
        with self._condition:
            return self._secrets.get(delivery.id, "")

    def _headers(self, secret: str, raw: bytes) -> dict[str, str]:
        timestamp = str(int(self._clock.now()))
        return {
            "content-type": "application/json; charset=utf-8",
            "user-agent": USER_AGENT,
            "x-zm-request-timestamp": timestamp,
            "x-zm-signature": sign(secret, timestamp, raw),
            "x-zm-request-id": secrets.token_hex(16),
        }
