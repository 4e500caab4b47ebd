"""Change notifications: validation handshake, notifications with clientState, renewal, lifecycle events."""

from __future__ import annotations

from typing import Any

import httpx2

from microsoft_emulator import ManualClock
from microsoft_emulator.testing import RunningEmulator

from .conftest import DEMO_TENANT, MARIA, Receiver, bearer, event_body

G = "/graph/v1.0"


def subscription_body(receiver: Receiver, **overrides: Any) -> dict[str, Any]:
    body = {
        "changeType": "created,updated,deleted",
        "notificationUrl": receiver.url,
        "lifecycleNotificationUrl": receiver.url + "/lifecycle",
        "resource": "me/events",
        "expirationDateTime": "2030-03-19T00:00:00.0000000Z",
        "clientState": "secret-client-state",
    }
    body.update(overrides)
    return body


def subscribe(http: httpx2.Client, token: str, receiver: Receiver, **overrides: Any) -> dict[str, Any]:
    response = http.post(
        f"{G}/subscriptions", headers=bearer(token), json=subscription_body(receiver, **overrides)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_validation_handshake_then_notifications(
    http: httpx2.Client, maria: str, ms: RunningEmulator, receiver: Receiver
) -> None:
    sub = subscribe(http, maria, receiver)
    assert sub["changeType"] == "created,updated,deleted" and sub["clientState"] == "secret-client-state"
    validations = [item for item in receiver.received if "validationToken" in item.query]
    assert len(validations) == 2  # notificationUrl and lifecycleNotificationUrl are both validated
    event = http.post(f"{G}/me/events", headers=bearer(maria), json=event_body()).json()
    ms.control.outlook_update(event["id"], {"subject": "Changed in Outlook"})
    http.delete(f"{G}/me/events/{event['id']}", headers=bearer(maria))
    assert ms.control.wait_for_notifications()
    notes = [n["value"][0] for n in receiver.notifications()]
    assert [n["changeType"] for n in notes] == ["created", "updated", "deleted"]
    first = notes[0]
    assert first["subscriptionId"] == sub["id"] and first["clientState"] == "secret-client-state"
    assert first["resourceData"]["id"] == event["id"] and first["tenantId"] == DEMO_TENANT
    assert first["resource"] == f"Users/{MARIA}/Events/{event['id']}"
    assert first["subscriptionExpirationDateTime"] == sub["expirationDateTime"]


def test_wrong_echo_or_error_refuses_the_subscription(
    http: httpx2.Client, maria: str, receiver: Receiver
) -> None:
    receiver.echo = "wrong"
    wrong = http.post(f"{G}/subscriptions", headers=bearer(maria), json=subscription_body(receiver))
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "ValidationError"
    assert "exactly match" in wrong.json()["error"]["message"]
    receiver.echo = "json"
    as_json = http.post(f"{G}/subscriptions", headers=bearer(maria), json=subscription_body(receiver))
    assert as_json.status_code == 400 and "text/plain" in as_json.json()["error"]["message"]
    receiver.echo = "none"
    failing = http.post(f"{G}/subscriptions", headers=bearer(maria), json=subscription_body(receiver))
    assert failing.status_code == 400 and "200 OK" in failing.json()["error"]["message"]


def test_http_notification_urls_are_refused_unless_allowed(
    http: httpx2.Client, maria: str, ms: RunningEmulator, receiver: Receiver
) -> None:
    ms.control.allow_http_notifications(False)
    response = http.post(f"{G}/subscriptions", headers=bearer(maria), json=subscription_body(receiver))
    assert response.status_code == 400 and "https" in response.json()["error"]["message"]


def test_expiration_limits(http: httpx2.Client, maria: str, receiver: Receiver) -> None:
    # The clock stands at 2030-03-17T17:46:40Z; 10,080 minutes later is 2030-03-24T17:46:40Z.
    too_far = subscription_body(receiver, expirationDateTime="2030-03-24T18:00:00Z")
    response = http.post(f"{G}/subscriptions", headers=bearer(maria), json=too_far)
    assert response.status_code == 400 and "10080 minutes" in response.json()["error"]["message"]
    past = subscription_body(receiver, expirationDateTime="2030-03-01T00:00:00Z")
    assert http.post(f"{G}/subscriptions", headers=bearer(maria), json=past).status_code == 400
    for required in ("expirationDateTime", "clientState", "notificationUrl", "resource", "changeType"):
        missing = subscription_body(receiver)
        del missing[required]
        assert http.post(f"{G}/subscriptions", headers=bearer(maria), json=missing).status_code == 400


def test_renew_delete_and_expiry(
    http: httpx2.Client, maria: str, receiver: Receiver, clock: ManualClock
) -> None:
    sub = subscribe(http, maria, receiver)
    renewed = http.patch(
        f"{G}/subscriptions/{sub['id']}",
        headers=bearer(maria),
        json={"expirationDateTime": "2030-03-22T00:00:00Z"},
    )
    assert renewed.status_code == 200 and renewed.json()["expirationDateTime"].startswith(
        "2030-03-22T00:00:00"
    )
    assert http.get(f"{G}/subscriptions", headers=bearer(maria)).json()["value"][0]["id"] == sub["id"]
    assert http.delete(f"{G}/subscriptions/{sub['id']}", headers=bearer(maria)).status_code == 204
    gone = http.get(f"{G}/subscriptions/{sub['id']}", headers=bearer(maria))
    assert gone.status_code == 404
    other = subscribe(http, maria, receiver)
    clock.advance(2 * 86400)
    from .conftest import tokens_for

    fresh = tokens_for(http, MARIA)["access_token"]
    assert http.get(f"{G}/subscriptions/{other['id']}", headers=bearer(fresh)).status_code == 404


def test_lifecycle_notifications(
    http: httpx2.Client, maria: str, ms: RunningEmulator, receiver: Receiver
) -> None:
    sub = subscribe(http, maria, receiver)
    ms.control.lifecycle(sub["id"], "reauthorizationRequired")
    ms.control.lifecycle(sub["id"], "subscriptionRemoved")
    assert ms.control.wait_for_notifications()
    events = [n["value"][0] for n in receiver.notifications()]
    assert [e["lifecycleEvent"] for e in events] == ["reauthorizationRequired", "subscriptionRemoved"]
    assert events[0]["clientState"] == "secret-client-state"
    lifecycle_paths = [d["url"] for d in ms.control.notifications()]
    assert all(url.endswith("/lifecycle") for url in lifecycle_paths)
    assert http.get(f"{G}/subscriptions/{sub['id']}", headers=bearer(maria)).status_code == 404


def test_undeliverable_notifications_are_retried_then_reported_missed(
    http: httpx2.Client, maria: str, ms: RunningEmulator, receiver: Receiver
) -> None:
    sub = subscribe(http, maria, receiver)
    receiver.statuses = [500, 500, 500]
    http.post(f"{G}/me/events", headers=bearer(maria), json=event_body())
    assert ms.control.wait_for_notifications()
    deliveries = ms.control.notifications()
    change = next(d for d in deliveries if d["kind"] == "change")
    assert change["status"] == "failed" and len(change["attempts"]) == 3
    missed = next(d for d in deliveries if d["kind"] == "lifecycle")
    assert missed["payload"]["value"][0]["lifecycleEvent"] == "missed"
    assert missed["subscription_id"] == sub["id"]


def test_subscriptions_to_a_named_calendar_only_see_it(
    http: httpx2.Client, maria: str, ms: RunningEmulator, receiver: Receiver
) -> None:
    rota = http.get(f"{G}/me/calendars", headers=bearer(maria)).json()["value"][1]["id"]
    subscribe(http, maria, receiver, resource=f"me/calendars/{rota}/events", changeType="created")
    http.post(f"{G}/me/events", headers=bearer(maria), json=event_body())
    http.post(f"{G}/me/calendars/{rota}/events", headers=bearer(maria), json=event_body())
    assert ms.control.wait_for_notifications()
    assert len(receiver.notifications()) == 1
    bad = http.post(
        f"{G}/subscriptions", headers=bearer(maria), json=subscription_body(receiver, resource="me/messages")
    )
    assert bad.status_code == 400
