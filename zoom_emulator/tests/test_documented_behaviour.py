"""Details where Zoom's documentation (../shared/zoom-api.md) is specific: join links, bodies, errors."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from zoom_emulator import Emulator
from zoom_emulator.passcodes import longest_consecutive_run, passcode_violations

from .clients import JSON, LEA, MARIA, bearer, meeting_body, user_tokens

NOT_JSON = {"code": 300, "message": "Request Body should be a valid JSON object."}


def create(http: httpx2.Client, token: str, **overrides: Any) -> httpx2.Response:
    return http.post("/v2/users/me/meetings", json=meeting_body(**overrides), headers=bearer(token))


# 2. join_url and embed_password_in_join_link (zoom-api.md 4.3)


def test_join_url_embeds_the_passcode_by_default(http: httpx2.Client, maria: str) -> None:
    meeting = create(http, maria, password="Kq7mZ2").json()
    assert meeting["join_url"].endswith(f"/j/{meeting['id']}?pwd={meeting['encrypted_password']}")


def test_join_url_leaves_out_pwd_when_the_host_turned_embedding_off(
    emulator: Emulator, http: httpx2.Client, maria: str
) -> None:
    emulator.set_user_settings(MARIA, {"schedule_meeting": {"embed_password_in_join_link": False}})
    created = create(http, maria, password="Kq7mZ2").json()
    assert created["password"] == "Kq7mZ2"
    assert created["join_url"].endswith(f"/j/{created['id']}") and "pwd=" not in created["join_url"]
    fetched = http.get(f"/v2/meetings/{created['id']}", headers=bearer(maria)).json()
    assert "pwd=" not in fetched["join_url"]
    listed = http.get("/v2/users/me/meetings", headers=bearer(maria)).json()["meetings"]
    assert all("pwd=" not in item["join_url"] for item in listed)
    settings = http.get("/v2/users/me/settings", headers=bearer(maria)).json()
    assert settings["schedule_meeting"]["embed_password_in_join_link"] is False
    # The join page then asks for the passcode.
    assert "name='passcode'" in http.get(created["join_url"]).text


# 4. Bodies must be sent as application/json (zoom-api.md 3, 3.6)


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_without_json_content_type_is_refused(
    http: httpx2.Client, maria: str, content_type: str | None
) -> None:
    headers = bearer(maria)
    if content_type:
        headers["Content-Type"] = content_type
    body = b'{"topic": "Looks like JSON"}'
    created = http.post("/v2/users/me/meetings", content=body, headers=headers)
    assert created.status_code == 400 and created.json() == NOT_JSON
    meeting_id = create(http, maria).json()["id"]
    patched = http.patch(f"/v2/meetings/{meeting_id}", content=body, headers=headers)
    assert patched.status_code == 400 and patched.json() == NOT_JSON
    assert http.get(f"/v2/meetings/{meeting_id}", headers=bearer(maria)).json()["topic"] != "Looks like JSON"


def test_json_with_a_charset_parameter_is_fine(http: httpx2.Client, maria: str) -> None:
    headers = bearer(maria) | {"Content-Type": "application/json; charset=utf-8"}
    response = http.post("/v2/users/me/meetings", content=b'{"topic": "ok"}', headers=headers)
    assert response.status_code == 201


def test_a_refused_body_does_not_count_against_the_daily_cap(
    emulator: Emulator, http: httpx2.Client, maria: str
) -> None:
    emulator.config.daily_meeting_writes_per_host = 1
    form = http.post("/v2/users/me/meetings", data={"topic": "x"}, headers=bearer(maria))
    assert form.status_code == 400
    assert create(http, maria).status_code == 201


# 5. Every failing field is reported (zoom-api.md 3.6)


def test_validation_reports_every_failing_field(http: httpx2.Client, maria: str) -> None:
    response = create(
        http,
        maria,
        topic="x" * 201,
        type=5,
        duration=-1,
        timezone="Mars/Olympus_Mons",
        start_time="tomorrow",
        password="pass!word",
        settings={"audio": "loud", "waiting_room": "yes", "meeting_invitees": "jane"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 300 and body["message"] == "Validation Failed."
    fields = [error["field"] for error in body["errors"]]
    assert fields == [
        "topic",
        "type",
        "duration",
        "timezone",
        "start_time",
        "password",
        "settings.audio",
        "settings.waiting_room",
        "settings.meeting_invitees",
    ]
    assert all(set(error) == {"field", "message"} for error in body["errors"])
    assert body["errors"][5]["message"].startswith("Password provided does not match")


def test_patch_reports_every_failing_field_and_changes_nothing(http: httpx2.Client, maria: str) -> None:
    meeting = create(http, maria).json()
    response = http.patch(
        f"/v2/meetings/{meeting['id']}",
        json={"topic": "Fine", "agenda": 5, "start_time": "2030-02-30T10:00:00Z"},
        headers=bearer(maria),
    )
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["agenda", "start_time"]
    assert (
        http.get(f"/v2/meetings/{meeting['id']}", headers=bearer(maria)).json()["topic"] == meeting["topic"]
    )


def test_xml_errors_list_every_field(http: httpx2.Client, maria: str) -> None:
    response = http.post(
        "/v2/users/me/meetings",
        json=meeting_body(type=5, duration="x"),
        headers={"Authorization": f"Bearer {maria}"},
    )
    assert response.status_code == 400
    assert "<field>type</field>" in response.text and "<field>duration</field>" in response.text


# 6. Unknown endpoints (zoom-api.md 3.6: 2300 is a 400)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v2/nothing/here"),
        ("GET", "/v2/webinars/123"),
        ("POST", "/v2/meetings/123"),
        ("PUT", "/v2/meetings/123"),
        ("DELETE", "/v2/users/me"),
        ("GET", "/v2/"),
    ],
)
def test_unknown_endpoints_answer_400_with_2300(
    http: httpx2.Client, maria: str, method: str, path: str
) -> None:
    response = http.request(method, path, headers=bearer(maria))
    assert response.status_code == 400
    assert response.json() == {"code": 2300, "message": "This API endpoint is not recognized."}


# 7. Passcode runs (zoom-api.md 4.3)


@pytest.mark.parametrize(
    ("password", "run"),
    [("abc", 3), ("cba", 3), ("321", 3), ("aaaa", 4), ("1111", 4), ("x9876y", 4), ("a1b2c3", 1)],
)
def test_runs_count_ascending_descending_and_repeated(password: str, run: int) -> None:
    assert longest_consecutive_run(password) == run


@pytest.mark.parametrize("password", ["Kq@dcba7", "Kq@4321x", "Kq@aaaa7", "K1@q1111"])
def test_descending_and_repeated_runs_break_the_consecutive_rule(http: httpx2.Client, password: str) -> None:
    lea = user_tokens(http, LEA)["access_token"]  # consecutive_characters_length 4: at most 3 in a row
    response = create(http, lea, password=password)
    assert response.status_code == 400
    assert "maximum of 3 consecutive characters" in response.json()["errors"][0]["message"]


def test_three_in_a_row_is_still_allowed(http: httpx2.Client) -> None:
    lea = user_tokens(http, LEA)["access_token"]
    assert create(http, lea, password="Kq@cba7x").status_code == 201


@pytest.mark.parametrize("password", ["fedcba", "654321", "zzzzzz", "121212", "abcabc", "qwerty"])
def test_weak_detection_flags_runs_and_repeats(password: str) -> None:
    assert passcode_violations(password, {"weak_enhance_detection": True}) == ["Passcode is too weak."]
    assert passcode_violations(password, {}) == []


def test_a_strong_passcode_is_not_weak() -> None:
    assert passcode_violations("Kq7@mZ2x", {"weak_enhance_detection": True}) == []


# 8. occurrence_id on a meeting that does not recur (Meetings spec: 3000 "Invalid occurrence_id.")


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_occurrence_id_on_a_single_meeting_is_refused(http: httpx2.Client, maria: str, method: str) -> None:
    meeting_id = create(http, maria).json()["id"]
    response = http.request(
        method,
        f"/v2/meetings/{meeting_id}",
        params={"occurrence_id": "1648194360000"},
        json={"topic": "x"} if method == "PATCH" else None,
        headers=bearer(maria),
    )
    assert response.status_code == 400
    assert response.json() == {"code": 3000, "message": "Invalid occurrence_id."}
    # Nothing happened.
    assert http.get(f"/v2/meetings/{meeting_id}", headers=JSON | bearer(maria)).json()["topic"] != "x"


def test_occurrence_id_on_a_recurring_meeting_is_accepted(http: httpx2.Client, maria: str) -> None:
    meeting_id = create(http, maria, type=8).json()["id"]
    response = http.get(
        f"/v2/meetings/{meeting_id}", params={"occurrence_id": "1648194360000"}, headers=bearer(maria)
    )
    assert response.status_code == 200
