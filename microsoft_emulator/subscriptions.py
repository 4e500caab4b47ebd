"""Change notifications: /subscriptions with the validation handshake, deliveries, lifecycle events."""

from __future__ import annotations

import contextlib
import json
import queue
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx2
from werkzeug.wrappers import Request, Response

from .clock import iso_z, parse_offset_datetime
from .errors import GraphError, bad_request, json_response
from .graph import READ_SCOPES, authenticate, context, read_json
from .state import Subscription, User

if TYPE_CHECKING:
    from .app import EmulatorApp
    from .emulator import Emulator

CHANGE_TYPES = ("created", "updated", "deleted")
RESOURCE = re.compile(r"^/?(?:me|users/([^/]+))(?:/calendars/([^/]+))?/events$", re.I)
LIFECYCLE_EVENTS = ("reauthorizationRequired", "subscriptionRemoved", "missed")


def not_found() -> GraphError:
    return GraphError(404, "ResourceNotFound", "The object was not found.")


# --- views --------------------------------------------------------------------------------------------------


def create(app: EmulatorApp, request: Request) -> Response:
    user, token = authenticate(app, request, READ_SCOPES)
    body = read_json(request)
    if not isinstance(body, dict):
        raise bad_request("Empty Payload. JSON content expected.")
    emu = app.emu
    # clientState: optional in the resource reference, "required" in the webhooks guide; the emulator insists.
    for required in ("changeType", "notificationUrl", "resource", "expirationDateTime", "clientState"):
        if not body.get(required):
            raise bad_request(f"Property '{required}' is required.", "InvalidRequest")
    change_types = [part.strip() for part in str(body["changeType"]).split(",")]
    if any(part not in CHANGE_TYPES for part in change_types):
        raise bad_request(f"Invalid 'changeType' attribute: '{body['changeType']}'.", "InvalidRequest")
    calendar_id = _resource_calendar(app, user, str(body["resource"]))
    expires = _expiration(app, body["expirationDateTime"])
    urls = [str(body["notificationUrl"])]
    if body.get("lifecycleNotificationUrl"):
        urls.append(str(body["lifecycleNotificationUrl"]))
    for url in urls:
        _check_url(app, url)
    for url in urls:
        # Outside the lock: the receiver may take up to 10 s, and may even call back into the emulator.
        emu.notifier.validate(url)
    subscription = Subscription(
        id=str(uuid.uuid4()),
        client_id=token.client_id,
        user_id=user.id,
        resource=str(body["resource"]),
        calendar_id=calendar_id,
        change_types=change_types,
        notification_url=urls[0],
        lifecycle_notification_url=urls[1] if len(urls) > 1 else None,
        client_state=body.get("clientState"),
        expires_at=expires,
        latest_tls=str(body.get("latestSupportedTlsVersion") or "v1_2"),
    )
    with emu.mutation() as state:
        state.subscriptions[subscription.id] = subscription
    return json_response(render(app, request, subscription), 201)


def _resource_calendar(app: EmulatorApp, user: User, resource: str) -> str | None:
    match = RESOURCE.match(resource.strip())
    if match is None:
        raise bad_request(
            f"Resource '{resource}' is not supported by the emulator; use me/events or "
            "me/calendars/{id}/events.",
            "ExtensionError",
        )
    user_key, calendar_id = match.group(1), match.group(2)
    if user_key and user_key.lower() not in (user.id.lower(), user.user_principal_name.lower()):
        raise GraphError(
            403,
            "ExtensionError",
            "Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied.]",
        )
    if calendar_id:
        cal = app.emu.state.calendars.get(calendar_id)
        if cal is None or cal.owner_id != user.id:
            raise GraphError(
                404,
                "ExtensionError",
                "Operation: Create; Exception: [Status Code: NotFound; "
                "Reason: The specified object was not found in the store.]",
            )
    return calendar_id


def _expiration(app: EmulatorApp, raw: Any) -> float:
    try:
        expires = parse_offset_datetime(str(raw))
    except ValueError:
        raise bad_request(f"Invalid value for 'expirationDateTime': '{raw}'.", "InvalidRequest") from None
    now = app.emu.clock.now()
    limit = app.emu.config.max_subscription_minutes
    if expires <= now:
        raise bad_request("Subscription expiration must be in the future.", "InvalidRequest")
    if expires > now + limit * 60:
        raise bad_request(
            f"Subscription expiration can only be {limit} minutes in the future.", "InvalidRequest"
        )
    return expires


def _check_url(app: EmulatorApp, url: str) -> None:
    if url.startswith("https://"):
        return
    if url.startswith("http://") and app.emu.config.allow_http_notification_urls:
        return
    raise bad_request(
        "Subscription validation request failed. Notification endpoint must use https.", "ValidationError"
    )


def render(app: EmulatorApp, request: Request, sub: Subscription) -> dict[str, Any]:
    return {
        "@odata.context": context(app, request, "subscriptions/$entity"),
        "id": sub.id,
        "resource": sub.resource,
        "applicationId": sub.client_id,
        "changeType": ",".join(sub.change_types),
        "clientState": sub.client_state,
        "notificationUrl": sub.notification_url,
        "notificationQueryOptions": None,
        "lifecycleNotificationUrl": sub.lifecycle_notification_url,
        "expirationDateTime": iso_z(sub.expires_at),
        "creatorId": sub.user_id,
        "includeResourceData": False,
        "latestSupportedTlsVersion": sub.latest_tls,
        "encryptionCertificate": None,
        "encryptionCertificateId": None,
        "notificationUrlAppId": None,
    }


def _owned(app: EmulatorApp, user: User, client_id: str, subscription_id: str) -> Subscription:
    emu = app.emu
    sub = emu.state.subscriptions.get(subscription_id)
    if sub is not None and sub.expires_at <= emu.clock.now():
        # Graph deletes expired subscriptions.
        del emu.state.subscriptions[subscription_id]
        sub = None
    if sub is None or sub.user_id != user.id or sub.client_id != client_id:
        raise not_found()
    return sub


def get(app: EmulatorApp, request: Request, subscription_id: str) -> Response:
    user, token = authenticate(app, request, READ_SCOPES)
    with app.emu.mutation():
        return json_response(render(app, request, _owned(app, user, token.client_id, subscription_id)))


def list_all(app: EmulatorApp, request: Request) -> Response:
    user, token = authenticate(app, request, READ_SCOPES)
    now = app.emu.clock.now()
    with app.emu.lock:
        subs = [
            s
            for s in app.emu.state.subscriptions.values()
            if s.user_id == user.id and s.client_id == token.client_id and s.expires_at > now
        ]
        value = [render(app, request, s) for s in subs]
    return json_response({"@odata.context": context(app, request, "subscriptions"), "value": value})


def update(app: EmulatorApp, request: Request, subscription_id: str) -> Response:
    user, token = authenticate(app, request, READ_SCOPES)
    body = read_json(request)
    if not isinstance(body, dict):
        raise bad_request("Empty Payload. JSON content expected.")
    unknown = set(body) - {"expirationDateTime", "notificationUrl"}
    if unknown:
        raise bad_request(
            f"Only expirationDateTime and notificationUrl can be updated, not {sorted(unknown)}.",
            "InvalidRequest",
        )
    emu = app.emu
    with emu.mutation():
        _owned(app, user, token.client_id, subscription_id)
    expires = _expiration(app, body["expirationDateTime"]) if "expirationDateTime" in body else None
    url = body.get("notificationUrl")
    if url:
        _check_url(app, str(url))
        emu.notifier.validate(str(url))
    with emu.mutation():
        sub = _owned(app, user, token.client_id, subscription_id)
        if expires is not None:
            sub.expires_at = expires
        if url:
            sub.notification_url = str(url)
        return json_response(render(app, request, sub))


def delete(app: EmulatorApp, request: Request, subscription_id: str) -> Response:
    user, token = authenticate(app, request, READ_SCOPES)
    with app.emu.mutation() as state:
        _owned(app, user, token.client_id, subscription_id)
        del state.subscriptions[subscription_id]
    return Response(status=204)


def reauthorize(app: EmulatorApp, request: Request, subscription_id: str) -> Response:
    user, token = authenticate(app, request, READ_SCOPES)
    with app.emu.mutation():
        _owned(app, user, token.client_id, subscription_id)
    return Response(status=204)


# --- delivery -----------------------------------------------------------------------------------------------


@dataclass
class Delivery:
    id: int
    kind: str  # "change" or "lifecycle"
    url: str
    body: dict[str, Any]
    status: str = "pending"  # pending, delivered, failed
    attempts: list[dict[str, Any]] = field(default_factory=list)
    subscription_id: str = ""


class Notifier:
    """Sends the validation handshake (synchronously) and notifications (from one background thread)."""

    def __init__(self, emu: Emulator) -> None:
        self._emu = emu
        self._queue: queue.Queue[tuple[Delivery, int]] = queue.Queue()
        self._lock = threading.Lock()
        self._deliveries: list[Delivery] = []
        self._in_flight = 0
        self._idle = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None

    def validate(self, url: str) -> None:
        token = (
            f"Validation: Testing client application reachability for subscription Request-Id: {uuid.uuid4()}"
        )
        separator = "&" if "?" in url else "?"
        target = f"{url}{separator}validationToken={quote(token)}"
        try:
            with httpx2.Client(timeout=self._emu.config.validation_timeout) as client:
                response = client.post(
                    target, headers={"Content-Type": "text/plain; charset=utf-8"}, content=b""
                )
        except httpx2.TimeoutException:
            raise bad_request("Subscription validation request timeout.", "ValidationError") from None
        except httpx2.HTTPError as error:
            raise bad_request(
                f"Subscription validation request failed. {error!r}", "ValidationError"
            ) from None
        if response.status_code != 200:
            raise bad_request(
                "Subscription validation request failed. Must respond with 200 OK to this request.",
                "ValidationError",
            )
        if not response.headers.get("Content-Type", "").lower().startswith("text/plain"):
            raise bad_request(
                "Subscription validation request failed. Response must have a content type of text/plain.",
                "ValidationError",
            )
        if response.text != token:
            raise bad_request(
                "Subscription validation request failed. Response must exactly match "
                "validationToken query parameter.",
                "ValidationError",
            )

    def enqueue(self, kind: str, url: str, body: dict[str, Any], subscription_id: str) -> Delivery:
        with self._lock:
            delivery = Delivery(len(self._deliveries) + 1, kind, url, body, subscription_id=subscription_id)
            self._deliveries.append(delivery)
            self._in_flight += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="graph-notifier", daemon=True)
                self._thread.start()
        self._queue.put((delivery, 0))
        return delivery

    def _work(self) -> None:
        while True:
            delivery, attempt = self._queue.get()
            ok = self._attempt(delivery)
            delays = self._emu.config.notification_retry_delays
            if ok or attempt >= len(delays):
                with self._lock:
                    delivery.status = "delivered" if ok else "failed"
                    self._in_flight -= 1
                    self._idle.notify_all()
                if not ok and delivery.kind == "change":
                    # The subscription may be gone meanwhile: then there is nobody to tell.
                    with contextlib.suppress(KeyError):
                        self._emu.lifecycle(delivery.subscription_id, "missed")
                continue
            # A timer, not a sleep: one failing receiver must not hold up deliveries to the others.
            timer = threading.Timer(delays[attempt], self._queue.put, args=((delivery, attempt + 1),))
            timer.daemon = True
            timer.start()

    def _attempt(self, delivery: Delivery) -> bool:
        try:
            with httpx2.Client(timeout=self._emu.config.notification_timeout) as client:
                response = client.post(
                    delivery.url,
                    content=json.dumps(delivery.body).encode(),
                    headers={"Content-Type": "application/json; charset=utf-8"},
                )
            delivery.attempts.append({"status": response.status_code, "at": iso_z(self._emu.clock.now())})
            return 200 <= response.status_code < 300
        except httpx2.HTTPError as error:
            delivery.attempts.append({"error": repr(error), "at": iso_z(self._emu.clock.now())})
            return False

    def deliveries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    "id": d.id,
                    "kind": d.kind,
                    "url": d.url,
                    "payload": d.body,
                    "status": d.status,
                    "attempts": list(d.attempts),
                    "subscription_id": d.subscription_id,
                }
                for d in self._deliveries
            ]

    def wait_idle(self, timeout: float) -> bool:
        with self._lock:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def clear(self) -> None:
        with self._lock:
            self._deliveries.clear()


def change_body(emu: Emulator, sub: Subscription, event_id: str, change_type: str) -> dict[str, Any]:
    user = emu.state.users[sub.user_id]
    resource = f"Users/{user.id}/Events/{event_id}"
    return {
        "value": [
            {
                "subscriptionId": sub.id,
                "subscriptionExpirationDateTime": iso_z(sub.expires_at),
                "changeType": change_type,
                "resource": resource,
                "resourceData": {
                    "@odata.type": "#Microsoft.Graph.Event",
                    "@odata.id": resource,
                    "@odata.etag": f'W/"{secrets.token_hex(8)}"',
                    "id": event_id,
                },
                "clientState": sub.client_state,
                "tenantId": user.tenant_id,
            }
        ]
    }


def lifecycle_body(emu: Emulator, sub: Subscription, event: str) -> dict[str, Any]:
    return {
        "value": [
            {
                "subscriptionId": sub.id,
                "subscriptionExpirationDateTime": iso_z(sub.expires_at),
                "tenantId": emu.state.users[sub.user_id].tenant_id,
                "clientState": sub.client_state,
                "lifecycleEvent": event,
            }
        ]
    }
