"""Signed event notifications: meeting events, app_deauthorized, URL validation and retries."""

from __future__ import annotations

import hashlib
import hmac

import httpx2

from zoom_emulator import Emulator

from .clients import (
    ACCOUNT_ID,
    CLIENT_ID,
    MARIA,
    WEBHOOK_SECRET,
    Received,
    WebhookReceiver,
    basic,
    bearer,
    meeting_body,
    user_tokens,
)


def verify_zoom_signature(secret: str, ts_header: str, raw_body: bytes, sig_header: str) -> bool:
    """Exactly the verifier zoom-api.md section 6.2 documents."""
    msg = b"v0:" + ts_header.encode() + b":" + raw_body
    expected = "v0=" + hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, sig_header or "")


def assert_signed(item: Received) -> None:
    assert verify_zoom_signature(
        WEBHOOK_SECRET, item.headers["x-zm-request-timestamp"], item.body, item.headers["x-zm-signature"]
    )
    assert len(item.headers["x-zm-request-timestamp"]) == 10


def test_meeting_lifecycle_events_are_signed_and_shaped_like_zooms(
    emulator: Emulator, http: httpx2.Client, receiver: WebhookReceiver
) -> None:
    token = user_tokens(http, MARIA)["access_token"]
    meeting = http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token)).json()
    http.patch(
        f"/v2/meetings/{meeting['id']}",
        json={"topic": "Moved", "settings": {"audio": "voip"}},
        headers=bearer(token),
    )
    http.delete(f"/v2/meetings/{meeting['id']}", headers=bearer(token))
    assert emulator.wait_for_webhooks()
    assert receiver.events() == ["meeting.created", "meeting.updated", "meeting.deleted"]
    for item in receiver.received:
        assert_signed(item)
        assert item.headers["user-agent"] == "Zoom Marketplace/1.0a"
    created, updated, deleted = (item.json() for item in receiver.received)
    assert created["payload"]["account_id"] == ACCOUNT_ID
    assert created["payload"]["operator_id"] == MARIA
    assert created["payload"]["object"]["id"] == meeting["id"]
    assert created["payload"]["object"]["join_url"] == meeting["join_url"]
    assert len(str(created["event_ts"])) == 13
    assert updated["payload"]["object"] == {
        "id": meeting["id"],
        "topic": "Moved",
        "settings": {"audio": "voip"},
    }
    assert updated["payload"]["old_object"] == {
        "id": meeting["id"],
        "topic": meeting["topic"],
        "settings": {"audio": "both"},
    }
    assert deleted["payload"]["object"]["uuid"] == meeting["uuid"]


def test_deleting_in_the_web_portal_notifies_the_app(
    emulator: Emulator, http: httpx2.Client, receiver: WebhookReceiver
) -> None:
    token = user_tokens(http, MARIA)["access_token"]
    meeting_id = http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token)).json()["id"]
    response = http.post(f"/portal/meetings/{meeting_id}/delete")
    assert response.status_code == 303
    assert emulator.wait_for_webhooks()
    assert receiver.events() == ["meeting.created", "meeting.deleted"]
    assert receiver.received[-1].json()["payload"]["operator_id"] == MARIA
    assert http.get(f"/v2/meetings/{meeting_id}", headers=bearer(token)).status_code == 404


def test_removing_the_app_sends_app_deauthorized_and_kills_tokens(
    emulator: Emulator, http: httpx2.Client, receiver: WebhookReceiver
) -> None:
    tokens = user_tokens(http, MARIA)
    page = http.get(f"/portal/accounts/{ACCOUNT_ID}")
    assert f"/portal/users/{MARIA}/apps/{CLIENT_ID}/remove" in page.text
    assert http.post(f"/portal/users/{MARIA}/apps/{CLIENT_ID}/remove").status_code == 303
    assert emulator.wait_for_webhooks()
    item = receiver.received[-1]
    assert_signed(item)
    payload = item.json()["payload"]
    assert item.json()["event"] == "app_deauthorized"
    assert (
        payload["user_id"] == MARIA
        and payload["account_id"] == ACCOUNT_ID
        and payload["client_id"] == CLIENT_ID
    )
    assert payload["deauthorization_time"].endswith("Z") and len(payload["signature"]) == 64
    # zoom-api.md 6.7: event_ts sits inside payload; the envelope keeps its own ms timestamp too.
    assert isinstance(payload["event_ts"], int) and len(str(payload["event_ts"])) == 13
    assert payload["event_ts"] == item.json()["event_ts"]
    assert http.get("/v2/users/me", headers=bearer(tokens["access_token"])).status_code == 401


def test_revoking_through_the_api_also_sends_app_deauthorized(
    emulator: Emulator, http: httpx2.Client, receiver: WebhookReceiver
) -> None:
    tokens = user_tokens(http, MARIA)
    http.post("/oauth/revoke", data={"token": tokens["access_token"]}, headers=basic())
    assert emulator.wait_for_webhooks()
    assert receiver.events() == ["app_deauthorized"]


def test_url_validation_challenge(zoom, receiver: WebhookReceiver) -> None:  # type: ignore[no-untyped-def]
    result = zoom.control.trigger("endpoint.url_validation", client_id=CLIENT_ID)
    assert result["validated"] is True
    item = receiver.received[-1]
    assert_signed(item)
    assert item.json()["event"] == "endpoint.url_validation"


def test_server_errors_are_retried_until_delivered(
    emulator: Emulator, http: httpx2.Client, receiver: WebhookReceiver
) -> None:
    receiver.statuses = [500, 503]
    token = user_tokens(http, MARIA)["access_token"]
    http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token))
    assert emulator.wait_for_webhooks()
    import time

    deadline = time.monotonic() + 3
    while emulator.webhook_deliveries()[0]["status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.02)
    delivery = emulator.webhook_deliveries()[0]
    assert delivery["status"] == "delivered"
    assert [attempt["status"] for attempt in delivery["attempts"]] == [500, 503, 200]
    assert len(receiver.received) == 3


def test_client_errors_are_not_retried_and_three_retries_is_the_end(
    emulator: Emulator, http: httpx2.Client, receiver: WebhookReceiver
) -> None:
    import time

    receiver.statuses = [404, 500, 500, 500, 500]
    token = user_tokens(http, MARIA)["access_token"]
    meeting_id = http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token)).json()["id"]
    http.delete(f"/v2/meetings/{meeting_id}", headers=bearer(token))
    deadline = time.monotonic() + 3
    while (
        any(d["status"] == "pending" for d in emulator.webhook_deliveries()) and time.monotonic() < deadline
    ):
        time.sleep(0.02)
    created, deleted = emulator.webhook_deliveries()
    assert created["status"] == "failed" and len(created["attempts"]) == 1
    assert deleted["status"] == "failed" and [a["status"] for a in deleted["attempts"]] == [
        500,
        500,
        500,
        500,
    ]


def test_unreachable_receivers_are_recorded_as_network_errors(
    emulator: Emulator, http: httpx2.Client
) -> None:
    import time

    emulator.set_event_url(CLIENT_ID, "http://127.0.0.1:9/unreachable")
    token = user_tokens(http, MARIA)["access_token"]
    http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token))
    deadline = time.monotonic() + 3
    while emulator.webhook_deliveries()[0]["status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.02)
    delivery = emulator.webhook_deliveries()[0]
    assert delivery["status"] == "failed" and len(delivery["attempts"]) == 4
    assert delivery["attempts"][0]["error"].startswith("ConnectError")


def test_control_api_triggers_portal_side_changes(  # type: ignore[no-untyped-def]
    zoom, http: httpx2.Client, receiver: WebhookReceiver
) -> None:
    token = user_tokens(http, MARIA)["access_token"]
    meeting_id = http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token)).json()["id"]
    zoom.control.trigger("meeting.updated", meeting_id=meeting_id, changes={"duration": 90})
    assert http.get(f"/v2/meetings/{meeting_id}", headers=bearer(token)).json()["duration"] == 90
    zoom.control.trigger("meeting.deleted", meeting_id=meeting_id)
    assert zoom.control.wait_for_webhooks()
    assert receiver.events() == ["meeting.created", "meeting.updated", "meeting.deleted"]
    assert [d["event"] for d in zoom.control.deliveries(event="meeting.updated")] == ["meeting.updated"]
    assert receiver.received[1].json()["payload"]["object"] == {"id": meeting_id, "duration": 90}
