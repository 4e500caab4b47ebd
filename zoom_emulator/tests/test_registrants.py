"""Registrants: their own links, Zoom's limits (3 adds, 10 status changes, 4,999 a meeting), Basic hosts and
PMI meetings refused, batch registration, and the `meeting.registration_*` events."""

from __future__ import annotations

from typing import Any

import httpx2

from zoom_emulator import Emulator, ManualClock

from .clients import MARIA, SAM, WebhookReceiver, bearer, meeting_body, user_tokens

REGISTRATION = {
    "approval_type": 0,
    "registrants_confirmation_email": False,
    "registrants_email_notification": False,
}


def registration_meeting(http: httpx2.Client, token: str, **settings: Any) -> dict[str, Any]:
    body = meeting_body(settings={**REGISTRATION, **settings})
    response = http.post("/v2/users/me/meetings", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    return dict(response.json())


def add(http: httpx2.Client, token: str, meeting_id: int, email: str, **extra: Any) -> httpx2.Response:
    body = {"email": email, "first_name": email.split("@")[0].title(), "last_name": "Doe", **extra}
    return http.post(f"/v2/meetings/{meeting_id}/registrants", json=body, headers=bearer(token))


def status(http: httpx2.Client, token: str, meeting_id: int, action: str, **who: str) -> httpx2.Response:
    body = {"action": action, "registrants": [who]}
    return http.put(f"/v2/meetings/{meeting_id}/registrants/status", json=body, headers=bearer(token))


def test_each_registrant_gets_an_own_link_that_lets_only_them_in(
    http: httpx2.Client, maria: str, zoom
) -> None:  # type: ignore[no-untyped-def]
    meeting = registration_meeting(http, maria)
    assert meeting["settings"]["approval_type"] == 0
    assert meeting["registration_url"].startswith(zoom.base_url)
    ann, ben = (
        add(http, maria, meeting["id"], "ann@example.com"),
        add(http, maria, meeting["id"], "ben@example.com"),
    )
    assert ann.status_code == ben.status_code == 201
    first, second = ann.json(), ben.json()
    assert set(first) >= {"id", "registrant_id", "join_url", "start_time", "topic", "occurrences"}
    assert first["id"] == meeting["id"] and first["topic"] == meeting["topic"]
    assert first["start_time"] == "2030-04-10T13:30:00Z"
    assert first["join_url"] != second["join_url"] != meeting["join_url"]
    assert first["join_url"].startswith(f"{zoom.base_url}/w/{meeting['id']}?tk=")
    assert http.get(first["join_url"]).status_code == 200
    # The meeting's own link does not let anyone in without registering.
    assert http.get(meeting["join_url"]).status_code == 403


def test_adding_an_address_again_answers_with_the_same_registration_and_counts(
    http: httpx2.Client, maria: str
) -> None:
    meeting = registration_meeting(http, maria)
    answers = [add(http, maria, meeting["id"], "Ann@Example.com") for _ in range(3)]
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert len({answer.json()["registrant_id"] for answer in answers}) == 1
    fourth = add(http, maria, meeting["id"], "ann@example.com")
    assert fourth.status_code == 429
    assert fourth.json() == {
        "code": 429,
        "message": 'You have exceeded the daily rate limit of "3" for Add meeting registrant API requests '
        'for the registrant "ann@example.com". You can resume these API requests at GMT 00:00:00.',
    }
    listed = http.get(f"/v2/meetings/{meeting['id']}/registrants", headers=bearer(maria)).json()
    assert listed["total_records"] == 1


def test_the_add_limit_is_per_utc_day(http: httpx2.Client, maria: str, clock: ManualClock) -> None:
    meeting = registration_meeting(http, maria)
    for _ in range(3):
        add(http, maria, meeting["id"], "ann@example.com")
    clock.advance(86400)
    fresh = str(user_tokens(http, MARIA)["access_token"])
    assert add(http, fresh, meeting["id"], "ann@example.com").status_code == 201


def test_cancelling_a_registrant_stops_their_link_and_keeps_the_others(
    http: httpx2.Client, maria: str
) -> None:
    meeting = registration_meeting(http, maria)
    ann = add(http, maria, meeting["id"], "ann@example.com").json()
    ben = add(http, maria, meeting["id"], "ben@example.com").json()
    assert status(http, maria, meeting["id"], "cancel", id=ann["registrant_id"]).status_code == 204
    assert http.get(ann["join_url"]).status_code == 403
    assert http.get(ben["join_url"]).status_code == 200
    path = f"/v2/meetings/{meeting['id']}/registrants"
    approved = http.get(path, headers=bearer(maria)).json()["registrants"]
    denied = http.get(path, params={"status": "denied"}, headers=bearer(maria)).json()["registrants"]
    assert [r["email"] for r in approved] == ["ben@example.com"]
    assert [(r["email"], r["status"]) for r in denied] == [("ann@example.com", "denied")]
    one = http.get(f"{path}/{ben['registrant_id']}", headers=bearer(maria)).json()
    assert one["join_url"] == ben["join_url"] and one["status"] == "approved"


def test_status_changes_are_limited_to_ten_a_day_per_registrant(http: httpx2.Client, maria: str) -> None:
    meeting = registration_meeting(http, maria)
    ann = add(http, maria, meeting["id"], "ann@example.com").json()
    codes = [
        status(http, maria, meeting["id"], action, id=ann["registrant_id"]).status_code
        for action in ["cancel", "approve"] * 5
    ]
    assert codes == [204] * 10
    refused = status(http, maria, meeting["id"], "cancel", email="ann@example.com")
    assert refused.status_code == 429
    assert "Update registrant's status" in refused.json()["message"]


def test_a_meeting_holds_at_most_its_registrant_capacity(
    emulator: Emulator, http: httpx2.Client, maria: str
) -> None:
    emulator.config.registrants_per_meeting = 2
    meeting = registration_meeting(http, maria)
    add(http, maria, meeting["id"], "ann@example.com")
    add(http, maria, meeting["id"], "ben@example.com")
    full = add(http, maria, meeting["id"], "cy@example.com")
    assert full.status_code == 400
    assert full.json() == {"code": 3043, "message": "Meeting has reached maximum attendee capacity."}


def test_deleting_a_registrant_removes_it(http: httpx2.Client, maria: str) -> None:
    meeting = registration_meeting(http, maria)
    ann = add(http, maria, meeting["id"], "ann@example.com").json()
    path = f"/v2/meetings/{meeting['id']}/registrants/{ann['registrant_id']}"
    assert http.delete(path, headers=bearer(maria)).status_code == 204
    again = http.delete(path, headers=bearer(maria))
    assert again.status_code == 400 and again.json()["code"] == 3000
    assert http.get(ann["join_url"]).status_code == 403


def test_a_meeting_without_registration_refuses_registrants(http: httpx2.Client, maria: str) -> None:
    meeting = http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(maria)).json()
    refused = add(http, maria, meeting["id"], "ann@example.com")
    assert refused.status_code == 404
    assert refused.json() == {
        "code": 404,
        "message": f"Registration has not been enabled for this meeting: {meeting['id']}.",
    }


def test_a_pmi_meeting_cannot_require_registration(http: httpx2.Client, maria: str) -> None:
    meeting = registration_meeting(http, maria, use_pmi=True)
    assert meeting["settings"]["approval_type"] == 2 and "registration_url" not in meeting
    assert add(http, maria, meeting["id"], "ann@example.com").json()["code"] == 404


def test_a_basic_host_cannot_use_registration(http: httpx2.Client) -> None:
    sam = str(user_tokens(http, SAM)["access_token"])
    meeting = registration_meeting(http, sam)
    assert meeting["settings"]["approval_type"] == 2
    refused = add(http, sam, meeting["id"], "ann@example.com")
    assert refused.status_code == 400
    assert refused.json() == {"code": 200, "message": f"Only available for paid users: {SAM}."}


def test_batch_registration_takes_at_most_thirty(http: httpx2.Client, maria: str) -> None:
    meeting = registration_meeting(http, maria)
    path = f"/v2/meetings/{meeting['id']}/batch_registrants"
    people = [{"email": f"p{n}@example.com", "first_name": f"P{n}"} for n in range(31)]
    too_many = http.post(path, json={"auto_approve": True, "registrants": people}, headers=bearer(maria))
    assert too_many.status_code == 400 and too_many.json()["code"] == 300
    done = http.post(path, json={"auto_approve": True, "registrants": people[:2]}, headers=bearer(maria))
    assert done.status_code == 201
    answered = done.json()["registrants"]
    assert [r["email"] for r in answered] == ["p0@example.com", "p1@example.com"]
    assert all(r["join_url"] and r["registrant_id"] for r in answered)


def test_registration_events_reach_the_app(
    http: httpx2.Client, maria: str, emulator: Emulator, receiver: WebhookReceiver
) -> None:
    meeting = registration_meeting(http, maria)
    ann = add(http, maria, meeting["id"], "ann@example.com").json()
    status(http, maria, meeting["id"], "cancel", id=ann["registrant_id"])
    assert emulator.wait_for_webhooks()
    events = [
        item.json() for item in receiver.received if item.json()["event"].startswith("meeting.registration")
    ]
    assert [event["event"] for event in events] == [
        "meeting.registration_created",
        "meeting.registration_cancelled",
    ]
    created = events[0]["payload"]["object"]
    assert created["id"] == meeting["id"]
    assert created["registrant"]["id"] == ann["registrant_id"]
    assert created["registrant"]["join_url"] == ann["join_url"]
    assert created["registrant"]["status"] == "approved"
    cancelled = events[1]["payload"]["object"]["registrant"]
    assert cancelled == {
        "id": ann["registrant_id"],
        "first_name": "Ann",
        "last_name": "Doe",
        "email": "ann@example.com",
    }


def test_deleting_the_meeting_deletes_its_registrants(
    http: httpx2.Client, maria: str, emulator: Emulator
) -> None:
    meeting = registration_meeting(http, maria)
    add(http, maria, meeting["id"], "ann@example.com")
    http.delete(f"/v2/meetings/{meeting['id']}", headers=bearer(maria))
    assert emulator.state.registrants == {}
