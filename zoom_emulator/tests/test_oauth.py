"""OAuth: codes, PKCE, rotation, re-authorization, revocation and account credentials."""

from __future__ import annotations

import httpx2

from zoom_emulator import Emulator, ManualClock

from .clients import (
    ACCOUNT_ID,
    CLIENT_ID,
    JSON,
    MARIA,
    REDIRECT_URI,
    S2S_CLIENT_ID,
    S2S_SECRET,
    authorize_code,
    basic,
    bearer,
    exchange,
    s2s_token,
    s256,
    user_tokens,
)

INVALID_TOKEN = {"reason": "Invalid Token!", "error": "invalid_grant"}


def refresh(http: httpx2.Client, refresh_token: str) -> httpx2.Response:
    return http.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token}, headers=basic()
    )


def test_it_issues_hour_long_bearer_tokens_for_an_authorization_code(http: httpx2.Client) -> None:
    response = exchange(http, authorize_code(http, MARIA))
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3599
    assert body["refresh_token"] and body["access_token"]
    assert "meeting:write:meeting" in body["scope"].split()
    me = http.get("/v2/users/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["id"] == MARIA


def test_it_redirects_with_access_denied_when_the_user_denies(http: httpx2.Client) -> None:
    params = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "state": "abc"}
    response = http.post("/oauth/authorize", params=params, data={"decision": "deny"})
    assert response.status_code == 302
    assert response.headers["location"] == f"{REDIRECT_URI}?error=access_denied&state=abc"


def test_it_refuses_a_redirect_uri_that_is_not_an_exact_match(http: httpx2.Client) -> None:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI + "/",
        "state": "s",
    }
    response = http.get("/oauth/authorize", params=params)
    assert response.status_code == 400
    assert "Redirect URI mismatch" in response.text
    assert (
        http.post("/oauth/authorize", params=params, data={"user_id": MARIA, "decision": "allow"}).status_code
        == 400
    )


def test_added_redirect_uris_are_accepted(emulator: Emulator, http: httpx2.Client) -> None:
    emulator.add_redirect_uri(CLIENT_ID, "http://127.0.0.1:54321/integrations/zoom/callback")
    code = authorize_code(http, MARIA, redirect_uri="http://127.0.0.1:54321/integrations/zoom/callback")
    assert code


def test_a_code_works_only_once(http: httpx2.Client) -> None:
    code = authorize_code(http, MARIA)
    assert exchange(http, code).status_code == 200
    second = exchange(http, code)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"


def test_a_code_expires_after_five_minutes(http: httpx2.Client, clock: ManualClock) -> None:
    code = authorize_code(http, MARIA)
    clock.advance(301)
    response = exchange(http, code)
    assert response.status_code == 400
    assert response.json() == {"reason": "Code is expired", "error": "invalid_grant"}


def test_the_token_request_must_repeat_the_redirect_uri(http: httpx2.Client) -> None:
    code = authorize_code(http, MARIA)
    response = exchange(http, code, redirect_uri="http://localhost:8000/integrations/zoom/callback")
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_pkce_s256_verifier_must_match_the_challenge(http: httpx2.Client) -> None:
    verifier = "x" * 50
    code = authorize_code(http, MARIA, code_challenge=s256(verifier), code_challenge_method="S256")
    assert exchange(http, code, code_verifier=verifier).status_code == 200

    code = authorize_code(http, MARIA, code_challenge=s256(verifier), code_challenge_method="S256")
    mismatch = exchange(http, code, code_verifier="y" * 50)
    assert mismatch.status_code == 400 and mismatch.json()["error"] == "invalid_grant"


def test_pkce_defaults_to_the_plain_method(http: httpx2.Client) -> None:
    code = authorize_code(http, MARIA, code_challenge="plain-verifier-value")
    assert exchange(http, code).status_code == 400  # verifier missing
    code = authorize_code(http, MARIA, code_challenge="plain-verifier-value")
    assert exchange(http, code, code_verifier="plain-verifier-value").status_code == 200


def test_refresh_rotates_and_the_previous_refresh_token_dies(http: httpx2.Client) -> None:
    first = user_tokens(http, MARIA)
    rotated = refresh(http, first["refresh_token"])
    assert rotated.status_code == 200
    assert rotated.json()["refresh_token"] != first["refresh_token"]
    reused = refresh(http, first["refresh_token"])
    assert reused.status_code == 400
    assert reused.json() == INVALID_TOKEN
    assert http.get("/v2/users/me", headers=bearer(first["access_token"])).status_code == 401
    assert http.get("/v2/users/me", headers=bearer(rotated.json()["access_token"])).status_code == 200
    assert refresh(http, rotated.json()["refresh_token"]).status_code == 200


def test_a_new_authorization_kills_the_earlier_tokens(http: httpx2.Client) -> None:
    old = user_tokens(http, MARIA)
    new = user_tokens(http, MARIA)
    assert refresh(http, old["refresh_token"]).json() == INVALID_TOKEN
    assert http.get("/v2/users/me", headers=bearer(old["access_token"])).json()["code"] == 124
    assert http.get("/v2/users/me", headers=bearer(new["access_token"])).status_code == 200


def test_an_expired_access_token_gets_code_124(http: httpx2.Client, clock: ManualClock) -> None:
    tokens = user_tokens(http, MARIA)
    clock.advance(3601)
    response = http.get("/v2/users/me", headers=bearer(tokens["access_token"]))
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Access token is expired."}
    assert refresh(http, tokens["refresh_token"]).status_code == 200


def test_revoke_kills_the_tokens(http: httpx2.Client) -> None:
    tokens = user_tokens(http, MARIA)
    response = http.post("/oauth/revoke", data={"token": tokens["access_token"]}, headers=basic())
    assert response.status_code == 200 and response.json() == {"status": "success"}
    assert http.get("/v2/users/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert refresh(http, tokens["refresh_token"]).json() == INVALID_TOKEN


def test_the_token_endpoint_requires_basic_client_authentication(http: httpx2.Client) -> None:
    code = authorize_code(http, MARIA)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    wrong = http.post("/oauth/token", data=data, headers=basic(secret="nope"))
    assert wrong.status_code == 400
    assert wrong.json() == {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
    in_body = http.post(
        "/oauth/token", data=data | {"client_id": CLIENT_ID, "client_secret": "rendez-demo-secret"}
    )
    assert in_body.json()["error"] == "invalid_client"


def test_unknown_grant_types_are_unsupported(http: httpx2.Client) -> None:
    response = http.post("/oauth/token", data={"grant_type": "password"}, headers=basic())
    assert response.json() == {"reason": "unsupported grant type", "error": "unsupported_grant_type"}


def test_token_values_in_the_query_string_are_refused(http: httpx2.Client) -> None:
    tokens = user_tokens(http, MARIA)
    response = http.post(
        "/oauth/token",
        params={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers=basic(),
    )
    assert response.status_code == 400
    api = http.get("/v2/users/me", params={"access_token": tokens["access_token"]}, headers=JSON)
    assert api.status_code == 401 and "query parameter" in api.json()["message"]


def test_account_credentials_give_an_hour_without_refresh_token(http: httpx2.Client) -> None:
    response = http.post(
        "/oauth/token",
        params={"grant_type": "account_credentials", "account_id": ACCOUNT_ID},
        headers=basic(S2S_CLIENT_ID, S2S_SECRET),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 3600 and "refresh_token" not in body
    wrong_account = http.post(
        "/oauth/token",
        data={"grant_type": "account_credentials", "account_id": "free-account"},
        headers=basic(S2S_CLIENT_ID, S2S_SECRET),
    )
    assert wrong_account.status_code == 400


def test_expiring_all_tokens_through_the_control_api(zoom, http: httpx2.Client) -> None:  # type: ignore[no-untyped-def]
    tokens = user_tokens(http, MARIA)
    s2s = s2s_token(http)
    assert zoom.control.expire_tokens() == 2
    assert http.get("/v2/users/me", headers=bearer(tokens["access_token"])).json()["message"] == (
        "Access token is expired."
    )
    assert http.get(f"/v2/users/{MARIA}", headers=bearer(s2s)).status_code == 401
