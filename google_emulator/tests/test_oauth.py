"""OAuth 2.0 for web server apps: consent, codes, PKCE, refresh tokens, granular consent, revocation."""

from __future__ import annotations

import base64
import json

import httpx2

from google_emulator import ManualClock
from google_emulator.testing import RunningEmulator

from .conftest import (
    CLIENT_ID,
    EVENTS,
    JONAS,
    MARIA,
    REDIRECT_URI,
    auth_params,
    bearer,
    consent,
    exchange,
    refresh,
    s256,
    tokens_for,
)

USERINFO = "/openidconnect/v1/userinfo"


def test_the_consent_page_lists_accounts_and_the_calendar_scopes_to_tick(http: httpx2.Client) -> None:
    page = http.get("/accounts/o/oauth2/v2/auth", params=auth_params())
    assert page.status_code == 200
    assert MARIA in page.text and JONAS in page.text
    assert f'value="{EVENTS}" checked' in page.text
    assert 'value="openid"' not in page.text  # sign-in scopes are not optional


def test_a_code_exchanges_for_a_bearer_token_of_3599_seconds_with_a_refresh_token(
    http: httpx2.Client,
) -> None:
    location = consent(http, MARIA)
    assert str(location).startswith(REDIRECT_URI + "?")
    assert location.params["state"] == "st4te"
    response = exchange(http, location.params["code"])
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599
    assert body["refresh_token"].startswith("1//")
    assert EVENTS in body["scope"].split()
    assert "openid" in body["scope"].split()


def test_openid_email_gives_the_account_email_from_userinfo_and_the_id_token(http: httpx2.Client) -> None:
    body = tokens_for(http, JONAS)
    info = http.get(USERINFO, headers=bearer(body["access_token"]))
    assert info.status_code == 200
    assert info.json()["email"] == JONAS and info.json()["email_verified"] is True
    payload = body["id_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert (
        claims["email"] == JONAS
        and claims["aud"] == CLIENT_ID
        and claims["iss"] == "https://accounts.google.com"
    )


def test_the_user_may_untick_a_scope_and_the_token_says_what_was_granted(http: httpx2.Client) -> None:
    location = consent(http, MARIA, untick=EVENTS)
    assert EVENTS not in location.params["scope"].split()
    body = exchange(http, location.params["code"]).json()
    assert EVENTS not in body["scope"].split()
    listing = http.get(f"/calendar/v3/calendars/{MARIA}/events", headers=bearer(body["access_token"]))
    assert listing.status_code == 403
    assert listing.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"


def test_a_denial_redirects_with_access_denied(http: httpx2.Client) -> None:
    location = consent(http, decision="deny")
    assert location.params["error"] == "access_denied" and location.params["state"] == "st4te"


def test_a_redirect_uri_that_is_not_an_exact_match_is_refused_on_googles_own_page(
    http: httpx2.Client,
) -> None:
    response = http.get("/accounts/o/oauth2/v2/auth", params=auth_params(redirect_uri=REDIRECT_URI + "/"))
    assert response.status_code == 400
    assert "redirect_uri_mismatch" in response.text
    assert "location" not in response.headers


def test_a_code_is_good_for_one_exchange(http: httpx2.Client) -> None:
    code = consent(http).params["code"]
    assert exchange(http, code).status_code == 200
    again = exchange(http, code)
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant", "error_description": "Bad Request"}


def test_a_code_expires(http: httpx2.Client, clock: ManualClock) -> None:
    code = consent(http).params["code"]
    clock.advance(601)
    assert exchange(http, code).json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_invalid_client(http: httpx2.Client) -> None:
    code = consent(http).params["code"]
    response = exchange(http, code, client_secret="nope")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_pkce_s256_needs_the_right_verifier(http: httpx2.Client) -> None:
    verifier = "v" * 50
    extra = {"code_challenge": s256(verifier), "code_challenge_method": "S256"}
    code = consent(http, **extra).params["code"]
    missing = exchange(http, code)
    assert missing.json() == {"error": "invalid_grant", "error_description": "Missing code verifier."}
    code = consent(http, **extra).params["code"]
    wrong = exchange(http, code, code_verifier="w" * 50)
    assert wrong.json() == {"error": "invalid_grant", "error_description": "Invalid code verifier."}
    code = consent(http, **extra).params["code"]
    assert exchange(http, code, code_verifier=verifier).status_code == 200


def test_a_refresh_token_only_on_first_consent_unless_prompt_consent(http: httpx2.Client) -> None:
    first = tokens_for(http, MARIA)
    assert "refresh_token" in first
    second = tokens_for(http, MARIA)
    assert "refresh_token" not in second
    third = tokens_for(http, MARIA, prompt="consent")
    assert "refresh_token" in third
    online = tokens_for(http, JONAS, access_type="online")
    assert "refresh_token" not in online


def test_refresh_gives_a_new_access_token_and_keeps_the_refresh_token(http: httpx2.Client) -> None:
    first = tokens_for(http)
    response = refresh(http, first["refresh_token"])
    assert response.status_code == 200
    body = response.json()
    assert body["access_token"] != first["access_token"]
    assert body["expires_in"] == 3599 and "refresh_token" not in body
    assert body["scope"] == first["scope"]


def test_an_expired_access_token_gets_401_unauthenticated(http: httpx2.Client, clock: ManualClock) -> None:
    token = tokens_for(http)["access_token"]
    clock.advance(3600)
    response = http.get("/calendar/v3/users/me/calendarList", headers=bearer(token))
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == 401 and error["status"] == "UNAUTHENTICATED"
    assert error["errors"][0]["reason"] == "authError"
    assert "invalid_token" in response.headers["www-authenticate"]


def test_no_token_at_all_is_401_login_required(http: httpx2.Client) -> None:
    response = http.get("/calendar/v3/users/me/calendarList")
    assert response.status_code == 401
    assert response.json()["error"]["errors"][0]["message"] == "Login Required."


def test_revoking_the_refresh_token_kills_its_access_tokens(http: httpx2.Client) -> None:
    body = tokens_for(http)
    assert http.post("/oauth2/revoke", data={"token": body["refresh_token"]}).status_code == 200
    assert http.get(USERINFO, headers=bearer(body["access_token"])).status_code == 401
    assert refresh(http, body["refresh_token"]).json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }
    again = http.post("/oauth2/revoke", data={"token": body["refresh_token"]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_token"


def test_the_user_removing_access_makes_the_next_refresh_invalid_grant(
    http: httpx2.Client, google: RunningEmulator
) -> None:
    body = tokens_for(http)
    assert google.control.revoke_grant(MARIA, CLIENT_ID) >= 2
    assert refresh(http, body["refresh_token"]).json()["error"] == "invalid_grant"
    # Reconnecting is a first consent again: a fresh refresh token without prompt=consent.
    assert "refresh_token" in tokens_for(http)


def test_include_granted_scopes_adds_earlier_grants(http: httpx2.Client) -> None:
    tokens_for(http, MARIA)
    body = tokens_for(http, MARIA, scope="openid email", include_granted_scopes="true")
    assert EVENTS in body["scope"].split()


def test_control_can_expire_access_tokens(http: httpx2.Client, google: RunningEmulator) -> None:
    token = tokens_for(http)["access_token"]
    assert google.control.expire_tokens(MARIA) == 1
    assert http.get(USERINFO, headers=bearer(token)).status_code == 401


def test_an_unknown_grant_type_is_unsupported_grant_type(http: httpx2.Client) -> None:
    response = http.post(
        "/oauth2/token",
        data={"grant_type": "password", "client_id": CLIENT_ID, "client_secret": "GOCSPX-rendez-demo-secret"},
    )
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


def test_missing_parameters_at_the_token_endpoint_are_invalid_request(http: httpx2.Client) -> None:
    secret = {"client_id": CLIENT_ID, "client_secret": "GOCSPX-rendez-demo-secret"}
    no_code = http.post("/oauth2/token", data={"grant_type": "authorization_code", **secret})
    assert no_code.json() == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: code",
    }
    no_refresh = http.post("/oauth2/token", data={"grant_type": "refresh_token", **secret})
    assert no_refresh.json()["error"] == "invalid_request"
