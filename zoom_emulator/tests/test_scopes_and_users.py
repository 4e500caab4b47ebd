"""Who may call what: scopes per endpoint, `me` for user-level apps, user ids for S2S; and the Users API."""

from __future__ import annotations

import httpx2

from zoom_emulator import Emulator

from .clients import AISHA, CLIENT_ID, JONAS, LEA, MARIA, bearer, meeting_body, s2s_token, user_tokens


def narrow_app_scopes(emulator: Emulator, scopes: list[str]) -> None:
    with emulator.mutation() as state:
        state.oauth_apps[CLIENT_ID].scopes = scopes


def test_a_token_without_the_delete_scope_cannot_delete(emulator: Emulator, http: httpx2.Client) -> None:
    narrow_app_scopes(emulator, ["meeting:write:meeting", "meeting:read:meeting"])
    token = user_tokens(http, MARIA)["access_token"]
    meeting_id = http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(token)).json()["id"]
    response = http.delete(f"/v2/meetings/{meeting_id}", headers=bearer(token))
    assert response.status_code == 400
    assert response.json() == {
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:"
        "[meeting:delete:meeting:admin, meeting:delete:meeting].",
    }
    assert meeting_id in emulator.state.meetings  # nothing happened


def test_a_user_level_token_must_say_me(emulator: Emulator, http: httpx2.Client) -> None:
    # The default app also asks for account-level scopes (for tenant connections); this one does not.
    narrow_app_scopes(emulator, ["meeting:write:meeting", "user:read:user"])
    token = user_tokens(http, MARIA)["access_token"]
    own_id = http.get(f"/v2/users/{MARIA}", headers=bearer(token))
    assert own_id.status_code == 400 and own_id.json()["code"] == 124
    other = http.post(f"/v2/users/{LEA}/meetings", json=meeting_body(), headers=bearer(token))
    assert other.json()["code"] == 124


def test_account_level_scopes_let_an_admin_act_on_colleagues(emulator: Emulator, http: httpx2.Client) -> None:
    narrow_app_scopes(
        emulator, ["meeting:write:meeting:admin", "user:read:user:admin", "user:read:list_users:admin"]
    )
    jonas = user_tokens(http, JONAS)
    assert "meeting:write:meeting:admin" in jonas["scope"]
    created = http.post(
        f"/v2/users/{LEA}/meetings", json=meeting_body(), headers=bearer(jonas["access_token"])
    )
    assert created.status_code == 201 and created.json()["host_id"] == LEA
    lea = user_tokens(http, LEA)
    assert lea["scope"] == ""  # account-level scopes never reach a member's token
    assert http.get("/v2/users/me", headers=bearer(lea["access_token"])).json()["code"] == 4711


def test_a_member_cannot_touch_someone_elses_meeting(http: httpx2.Client) -> None:
    maria = user_tokens(http, MARIA)["access_token"]
    lea = user_tokens(http, LEA)["access_token"]
    meeting_id = http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(maria)).json()["id"]
    assert http.delete(f"/v2/meetings/{meeting_id}", headers=bearer(lea)).json()["code"] == 3003
    assert http.get(f"/v2/meetings/{meeting_id}", headers=bearer(lea)).json()["code"] == 3000


def test_s2s_tokens_cannot_use_me_and_stay_inside_their_account(http: httpx2.Client) -> None:
    token = s2s_token(http)
    assert http.get("/v2/users/me", headers=bearer(token)).json()["code"] == 124
    assert http.get(f"/v2/users/{AISHA}", headers=bearer(token)).json()["code"] == 1001
    assert (
        http.get(f"/v2/users/{MARIA}", headers=bearer(token)).json()["email"]
        == "maria.koch@demo-clinic.example"
    )


def test_listing_users_pages_with_next_page_token(http: httpx2.Client) -> None:
    token = s2s_token(http)
    emails: list[str] = []
    next_token = ""
    while True:
        page = http.get(
            "/v2/users", params={"page_size": 3, "next_page_token": next_token}, headers=bearer(token)
        )
        assert page.status_code == 200
        body = page.json()
        assert body["total_records"] == 4 and body["page_size"] == 3
        emails += [user["email"] for user in body["users"]]
        next_token = body["next_page_token"]
        if not next_token:
            break
    assert len(emails) == 4 and emails[0] == "maria.koch@demo-clinic.example"


def test_an_expired_page_token_is_refused(http: httpx2.Client, clock) -> None:  # type: ignore[no-untyped-def]
    token = s2s_token(http)
    next_token = http.get("/v2/users", params={"page_size": 1}, headers=bearer(token)).json()[
        "next_page_token"
    ]
    clock.advance(901)
    expired = http.get(
        "/v2/users", params={"page_size": 1, "next_page_token": next_token}, headers=bearer(token)
    )
    assert expired.status_code == 400
    assert expired.json() == {"code": 300, "message": "The next page token is invalid or expired."}


def test_me_describes_the_connected_user(http: httpx2.Client) -> None:
    me = http.get("/v2/users/me", headers=bearer(user_tokens(http, MARIA)["access_token"])).json()
    assert me["id"] == MARIA and me["account_id"] == "demo-account"
    assert me["first_name"] == "Maria" and me["timezone"] == "Europe/Berlin"


def test_settings_carry_the_passcode_requirement(http: httpx2.Client) -> None:
    token = user_tokens(http, LEA)["access_token"]
    settings = http.get("/v2/users/me/settings", headers=bearer(token)).json()
    requirement = settings["schedule_meeting"]["meeting_password_requirement"]
    assert requirement["length"] == 8 and requirement["have_special_character"] is True
    security = http.get(
        "/v2/users/me/settings", params={"option": "meeting_security"}, headers=bearer(token)
    ).json()
    assert security["meeting_security"]["meeting_password_requirement"] == requirement
    filtered = http.get(
        "/v2/users/me/settings",
        params={"custom_query_fields": "default_password_for_scheduled_meetings,waiting_room"},
        headers=bearer(token),
    ).json()
    assert filtered == {
        "schedule_meeting": {"default_password_for_scheduled_meetings": ""},
        "in_meeting": {"waiting_room": False},
    }


def test_settings_can_be_changed_per_user_through_the_control_api(zoom, http: httpx2.Client) -> None:  # type: ignore[no-untyped-def]
    zoom.control.set_user_settings(
        MARIA, {"schedule_meeting": {"meeting_password_requirement": {"length": 9}}}
    )
    token = user_tokens(http, MARIA)["access_token"]
    settings = http.get("/v2/users/me/settings", headers=bearer(token)).json()
    assert settings["schedule_meeting"]["meeting_password_requirement"]["length"] == 9
    assert (
        http.post(
            "/v2/users/me/meetings", json=meeting_body(password="abc123"), headers=bearer(token)
        ).status_code
        == 400
    )
