"""Meetings: the full object, time zones, validation as Zoom does it, PATCH semantics, deletion, listing."""

from __future__ import annotations

import re
from typing import Any

import httpx2
import pytest

from zoom_emulator import Emulator, ManualClock
from zoom_emulator.passcodes import passcode_violations

from .clients import JSON, LEA, MARIA, SAM, TOMAS, bearer, meeting_body, user_tokens


def create(http: httpx2.Client, token: str, **overrides: Any) -> httpx2.Response:
    return http.post("/v2/users/me/meetings", json=meeting_body(**overrides), headers=bearer(token))


def test_create_returns_201_with_the_full_meeting(http: httpx2.Client, maria: str, zoom) -> None:  # type: ignore[no-untyped-def]
    response = create(http, maria, password="Qx7-42ab")
    assert response.status_code == 201
    meeting = response.json()
    assert isinstance(meeting["id"], int) and 10 <= len(str(meeting["id"])) <= 11
    assert meeting["host_id"] == MARIA and meeting["uuid"].endswith("==")
    assert meeting["start_time"] == "2030-04-10T13:30:00Z"
    assert meeting["timezone"] == "Europe/Berlin" and meeting["duration"] == 45
    assert meeting["topic"] == "Consultation with Jane Doe" and meeting["agenda"] == "Booking #8812"
    assert meeting["password"] == "Qx7-42ab"
    assert meeting["join_url"] == f"{zoom.base_url}/j/{meeting['id']}?pwd={meeting['encrypted_password']}"
    assert re.fullmatch(rf"{zoom.base_url}/s/{meeting['id']}\?zak=[\w-]+", meeting["start_url"])
    assert meeting["settings"]["waiting_room"] is True
    assert meeting["created_at"] == "2030-03-17T17:46:40Z"
    assert (
        http.get(f"/v2/meetings/{meeting['id']}", headers=bearer(maria)).json()["topic"] == meeting["topic"]
    )


def test_local_start_time_is_read_in_the_meeting_timezone_and_returned_in_utc(
    http: httpx2.Client, maria: str
) -> None:
    meeting = create(http, maria, start_time="2030-04-10T15:30:00", timezone="Europe/Berlin").json()
    assert meeting["start_time"] == "2030-04-10T13:30:00Z"
    utc = create(http, maria, start_time="2030-04-10T15:30:00Z", timezone="America/New_York").json()
    assert utc["start_time"] == "2030-04-10T15:30:00Z" and utc["timezone"] == "America/New_York"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("topic", "x" * 201),
        ("agenda", "x" * 2001),
        ("start_time", "2030-04-10T15:30:00+02:00"),
        ("start_time", "10/04/2030 15:30"),
        ("timezone", "Mars/Olympus_Mons"),
        ("type", 5),
        ("duration", "forty"),
    ],
)
def test_invalid_fields_fail_validation_with_code_300(
    http: httpx2.Client, maria: str, field: str, value: Any
) -> None:
    response = create(http, maria, **{field: value})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 300 and body["message"] == "Validation Failed."
    assert body["errors"][0]["field"] == field


def test_topic_of_exactly_200_characters_is_fine(http: httpx2.Client, maria: str) -> None:
    assert create(http, maria, topic="x" * 200, agenda="y" * 2000).status_code == 201


@pytest.mark.parametrize("password", ["12345678901", "abc def", "pass!word"])
def test_passcodes_are_at_most_ten_characters_of_the_allowed_set(
    http: httpx2.Client, maria: str, password: str
) -> None:
    response = create(http, maria, password=password)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "password"
    assert error["message"].startswith("Password provided does not match the password requirement settings")


def test_the_hosts_passcode_requirement_is_enforced(http: httpx2.Client) -> None:
    lea = user_tokens(http, LEA)["access_token"]
    weak = create(http, lea, password="abc12345")
    assert weak.status_code == 400
    assert "special character" in weak.json()["errors"][0]["message"]
    assert create(http, lea, password="Kq7@mZ2x").status_code == 201


def test_a_required_passcode_is_generated_to_the_hosts_rules(http: httpx2.Client) -> None:
    lea = user_tokens(http, LEA)["access_token"]
    requirement = http.get("/v2/users/me/settings", headers=bearer(lea)).json()["schedule_meeting"][
        "meeting_password_requirement"
    ]
    meeting = http.post(
        "/v2/users/me/meetings", json={"topic": "No passcode given"}, headers=bearer(lea)
    ).json()
    assert meeting["password"] and passcode_violations(meeting["password"], requirement) == []


def test_zoom_turns_on_the_waiting_room_when_no_security_option_is_left(http: httpx2.Client) -> None:
    tomas = user_tokens(http, TOMAS)["access_token"]
    meeting = create(http, tomas, settings={"waiting_room": False}).json()
    assert meeting["password"] == "" and meeting["settings"]["waiting_room"] is True


def test_free_accounts_get_numeric_passcodes_when_their_rules_say_so(http: httpx2.Client) -> None:
    sam = user_tokens(http, SAM)["access_token"]
    meeting = http.post("/v2/users/me/meetings", json={"topic": "Free"}, headers=bearer(sam)).json()
    assert meeting["password"].isdigit()


def test_patch_answers_204_with_no_body_and_deep_merges_settings(http: httpx2.Client, maria: str) -> None:
    meeting = create(http, maria, settings={"waiting_room": True, "audio": "telephony"}).json()
    response = http.patch(
        f"/v2/meetings/{meeting['id']}",
        json={"topic": "Moved", "start_time": "2030-05-01T09:00:00Z", "settings": {"audio": "voip"}},
        headers=bearer(maria),
    )
    assert response.status_code == 204 and response.content == b""
    after = http.get(f"/v2/meetings/{meeting['id']}", headers=bearer(maria)).json()
    assert after["topic"] == "Moved" and after["start_time"] == "2030-05-01T09:00:00Z"
    assert after["settings"]["audio"] == "voip" and after["settings"]["waiting_room"] is True
    assert after["agenda"] == meeting["agenda"]


def test_patch_ignores_a_start_time_in_the_past(http: httpx2.Client, maria: str) -> None:
    meeting = create(http, maria).json()
    http.patch(
        f"/v2/meetings/{meeting['id']}", json={"start_time": "2020-01-01T00:00:00Z"}, headers=bearer(maria)
    )
    assert (
        http.get(f"/v2/meetings/{meeting['id']}", headers=bearer(maria)).json()["start_time"]
        == meeting["start_time"]
    )


def test_patch_validates_like_create(http: httpx2.Client, maria: str) -> None:
    meeting = create(http, maria).json()
    response = http.patch(f"/v2/meetings/{meeting['id']}", json={"password": "x" * 11}, headers=bearer(maria))
    assert response.status_code == 400 and response.json()["code"] == 300


def test_a_refused_patch_changes_nothing(http: httpx2.Client, maria: str) -> None:
    meeting = create(http, maria).json()
    response = http.patch(
        f"/v2/meetings/{meeting['id']}",
        json={"topic": "Changed", "start_time": "2030-02-30T10:00:00Z"},
        headers=bearer(maria),
    )
    assert response.status_code == 400 and response.json()["code"] == 300
    after = http.get(f"/v2/meetings/{meeting['id']}", headers=bearer(maria)).json()
    assert (after["topic"], after["start_time"]) == (meeting["topic"], meeting["start_time"])


def test_delete_answers_204_and_the_meeting_is_gone(http: httpx2.Client, maria: str) -> None:
    meeting_id = create(http, maria).json()["id"]
    assert http.delete(f"/v2/meetings/{meeting_id}", headers=bearer(maria)).status_code == 204
    for method in ("GET", "PATCH", "DELETE"):
        response = http.request(
            method,
            f"/v2/meetings/{meeting_id}",
            json={} if method == "PATCH" else None,
            headers=bearer(maria),
        )
        assert response.status_code == 404
        assert response.json() == {
            "code": 3001,
            "message": f"Meeting {meeting_id} is not found or has expired.",
        }


def test_body_that_is_not_a_json_object_is_refused(http: httpx2.Client, maria: str) -> None:
    response = http.post("/v2/users/me/meetings", content=b"[1,2]", headers=bearer(maria))
    assert response.json() == {"code": 300, "message": "Request Body should be a valid JSON object."}


def test_errors_are_xml_when_the_client_does_not_accept_json(http: httpx2.Client, maria: str) -> None:
    response = http.post(
        "/v2/users/me/meetings",
        json=meeting_body(password="x" * 11),
        headers={"Authorization": f"Bearer {maria}"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.startswith(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><result><code>300</code>'
    )
    assert "<field>password</field>" in response.text


def test_listing_shows_upcoming_meetings_page_by_page(
    http: httpx2.Client, maria: str, clock: ManualClock
) -> None:
    ids = {
        create(http, maria, start_time=f"2030-04-{day:02d}T10:00:00Z").json()["id"] for day in range(10, 15)
    }
    past = create(http, maria, start_time="2030-03-17T10:00:00Z").json()["id"]
    seen: set[int] = set()
    token = ""
    while True:
        page = http.get(
            "/v2/users/me/meetings",
            params={"type": "upcoming", "page_size": 2, "next_page_token": token},
            headers=bearer(maria),
        ).json()
        assert len(page["meetings"]) <= 2
        seen |= {m["id"] for m in page["meetings"]}
        token = page["next_page_token"]
        if not token:
            break
    assert seen == ids and past not in seen
    bad = http.get("/v2/users/me/meetings", params={"next_page_token": "nope"}, headers=bearer(maria))
    assert bad.status_code == 400 and bad.json()["code"] == 300


def test_unknown_users_get_1001(http: httpx2.Client, emulator: Emulator) -> None:
    from .clients import s2s_token

    token = s2s_token(http)
    response = http.post("/v2/users/nobody@example.com/meetings", json=meeting_body(), headers=bearer(token))
    assert response.status_code == 404 and response.json()["code"] == 1001


def test_s2s_tokens_create_meetings_for_users_by_id_or_email(http: httpx2.Client) -> None:
    from .clients import s2s_token

    token = s2s_token(http)
    by_email = http.post(
        "/v2/users/lea.schmitt@demo-clinic.example/meetings", json=meeting_body(), headers=bearer(token)
    )
    assert by_email.status_code == 201 and by_email.json()["host_id"] == LEA
    assert http.get(f"/v2/meetings/{by_email.json()['id']}", headers=JSON | bearer(token)).status_code == 200
