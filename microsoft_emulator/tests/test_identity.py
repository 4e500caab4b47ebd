"""The v2.0 authorization code flow: authorize + consent, code redemption, refresh rotation and its errors."""

from __future__ import annotations

import base64
import json

import httpx2

from microsoft_emulator import ManualClock
from microsoft_emulator.testing import RunningEmulator

from .conftest import (
    CLIENT_ID,
    DEMO_TENANT,
    MARIA,
    REDIRECT_URI,
    SAM,
    VERIFIER,
    authorize_code,
    authorize_params,
    redeem,
    refresh,
    tokens_for,
)


def claims(id_token: str) -> dict[str, object]:
    payload = id_token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_consent_page_lists_the_accounts_the_tenant_allows(http: httpx2.Client) -> None:
    common = http.get("/login/common/oauth2/v2.0/authorize", params=authorize_params())
    assert common.status_code == 200
    assert "maria.koch@demo-clinic.example" in common.text and "sam.rivera@outlook.example" in common.text
    assert "Calendars.ReadWrite" in common.text and "data-testid='accept'" in common.text
    work = http.get("/login/organizations/oauth2/v2.0/authorize", params=authorize_params())
    assert "maria.koch" in work.text and "sam.rivera" not in work.text
    personal = http.get("/login/consumers/oauth2/v2.0/authorize", params=authorize_params())
    assert "sam.rivera" in personal.text and "maria.koch" not in personal.text
    single = http.get(f"/login/{DEMO_TENANT}/oauth2/v2.0/authorize", params=authorize_params())
    assert "maria.koch" in single.text and "aisha.khan" not in single.text


def test_code_exchange_returns_tokens_with_an_id_token(http: httpx2.Client) -> None:
    body = tokens_for(http, MARIA)
    assert body["token_type"] == "Bearer"
    assert 3600 <= body["expires_in"] <= 5399
    assert body["refresh_token"] and body["access_token"]
    assert "https://graph.microsoft.com/Calendars.ReadWrite" in body["scope"].split()
    identity = claims(body["id_token"])
    assert identity["aud"] == CLIENT_ID and identity["tid"] == DEMO_TENANT and identity["oid"] == MARIA
    assert identity["email"] == identity["preferred_username"] == "maria.koch@demo-clinic.example"


def test_personal_account_has_no_email_claim_but_a_preferred_username(http: httpx2.Client) -> None:
    identity = claims(tokens_for(http, SAM)["id_token"])
    assert "email" not in identity and identity["preferred_username"] == "sam.rivera@outlook.example"
    assert identity["tid"] == "9188040d-6c67-4c5b-b112-36a304b66dad"


def test_no_refresh_token_without_offline_access(http: httpx2.Client) -> None:
    body = tokens_for(http, MARIA, scope="openid User.Read Calendars.ReadWrite")
    assert "refresh_token" not in body


def test_denied_consent_redirects_with_access_denied(http: httpx2.Client) -> None:
    response = http.post(
        "/login/common/oauth2/v2.0/authorize",
        params=authorize_params(),
        data={"user_id": MARIA, "decision": "deny"},
    )
    location = httpx2.URL(response.headers["location"])
    assert location.params["error"] == "access_denied" and location.params["state"] == "st4te"
    assert location.params["error_description"].startswith("AADSTS65004")


def test_unregistered_redirect_uri_is_never_redirected_to(http: httpx2.Client) -> None:
    response = http.get(
        "/login/common/oauth2/v2.0/authorize", params=authorize_params(redirect_uri="https://evil.example/cb")
    )
    assert (
        response.status_code == 400 and "AADSTS50011" in response.text and "location" not in response.headers
    )


def test_unknown_client_and_bad_parameters(http: httpx2.Client) -> None:
    unknown = http.get("/login/common/oauth2/v2.0/authorize", params=authorize_params(client_id="nope"))
    assert unknown.status_code == 400 and "AADSTS700016" in unknown.text
    for extra, error in (
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": ""}, "invalid_request"),
        ({"scope": "Calendars.Everything"}, "invalid_scope"),
        ({"code_challenge_method": "S512"}, "invalid_request"),
        ({"prompt": "always"}, "invalid_request"),
        ({"prompt": "none"}, "login_required"),
    ):
        response = http.get("/login/common/oauth2/v2.0/authorize", params=authorize_params(**extra))
        assert response.status_code == 302, extra
        assert httpx2.URL(response.headers["location"]).params["error"] == error, extra


def test_pkce_verifier_must_match(http: httpx2.Client) -> None:
    code = authorize_code(http, MARIA)
    response = redeem(http, code, code_verifier="x" * 50)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant" and response.json()["error_codes"] == [501481]
    missing = redeem(http, authorize_code(http, MARIA), code_verifier="")
    assert missing.json()["error_codes"] == [501481]


def test_code_is_single_use_and_short_lived(http: httpx2.Client, clock: ManualClock) -> None:
    code = authorize_code(http, MARIA)
    assert redeem(http, code).status_code == 200
    again = redeem(http, code)
    assert again.status_code == 400 and again.json()["error_codes"] == [54005]
    late = authorize_code(http, MARIA)
    clock.advance(601)
    expired = redeem(http, late)
    assert expired.json()["error"] == "invalid_grant" and expired.json()["error_codes"] == [70008]


def test_redirect_uri_must_repeat_the_authorize_one(http: httpx2.Client) -> None:
    response = redeem(
        http,
        authorize_code(http, MARIA),
        redirect_uri="http://localhost:8000/integrations/microsoft/callback",
    )
    assert response.json()["error"] == "invalid_grant"


def test_client_authentication_errors(http: httpx2.Client) -> None:
    code = authorize_code(http, MARIA)
    missing = redeem(http, code, client_secret="")
    assert missing.status_code == 401 and missing.json()["error"] == "invalid_client"
    assert missing.json()["error_codes"] == [7000218]
    wrong = redeem(http, code, client_secret="wrong")
    assert wrong.status_code == 401 and wrong.json()["error_codes"] == [7000215]
    body = wrong.json()
    assert body["error_description"].startswith("AADSTS7000215: ") and {"trace_id", "correlation_id"} <= set(
        body
    )


def test_refresh_rotates_and_the_old_token_keeps_working(http: httpx2.Client) -> None:
    first = tokens_for(http, MARIA)
    second = refresh(http, first["refresh_token"])
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert second.json()["access_token"] != first["access_token"]
    # Documented: old refresh tokens are not revoked when used.
    assert refresh(http, first["refresh_token"]).status_code == 200


def test_revoked_grant_answers_aadsts50173_until_consent_again(
    http: httpx2.Client, ms: RunningEmulator
) -> None:
    first = tokens_for(http, MARIA)
    assert ms.control.revoke_grant(MARIA) == 1
    response = refresh(http, first["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant" and response.json()["error_codes"] == [50173]
    # The access token already issued keeps working until it expires (no revocation of access tokens).
    me = http.get("/graph/v1.0/me", headers={"Authorization": f"Bearer {first['access_token']}"})
    assert me.status_code == 200
    again = tokens_for(http, MARIA)
    assert refresh(http, again["refresh_token"]).status_code == 200


def test_inactive_refresh_token_answers_aadsts700082(
    http: httpx2.Client, ms: RunningEmulator, clock: ManualClock
) -> None:
    first = tokens_for(http, MARIA)
    clock.advance(90 * 86400 + 1)
    response = refresh(http, first["refresh_token"])
    assert response.json()["error_codes"] == [700082]
    assert response.json()["error_description"].startswith("AADSTS700082: The refresh token has expired")
    fresh = tokens_for(http, MARIA)
    ms.control.expire_refresh_tokens(MARIA)
    assert refresh(http, fresh["refresh_token"]).json()["error_codes"] == [700082]


def test_unknown_refresh_token_and_grant_type(http: httpx2.Client) -> None:
    assert refresh(http, "garbage").json()["error"] == "invalid_grant"
    response = http.post(
        "/login/common/oauth2/v2.0/token",
        data={
            "client_id": CLIENT_ID,
            "client_secret": "rendez-demo-microsoft-secret",
            "grant_type": "password",
        },
    )
    assert response.json()["error"] == "unsupported_grant_type"


def test_secret_may_come_as_basic_auth(http: httpx2.Client) -> None:
    code = authorize_code(http, MARIA)
    response = http.post(
        "/login/common/oauth2/v2.0/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": VERIFIER,
        },
        auth=(CLIENT_ID, "rendez-demo-microsoft-secret"),
    )
    assert response.status_code == 200, response.text


def test_response_modes(http: httpx2.Client) -> None:
    posted = http.post(
        "/login/common/oauth2/v2.0/authorize",
        params=authorize_params(response_mode="form_post"),
        data={"user_id": MARIA, "decision": "allow"},
    )
    assert posted.status_code == 200 and f"action='{REDIRECT_URI}'" in posted.text
    assert "name='code'" in posted.text and "name='state' value='st4te'" in posted.text
    fragment = http.post(
        "/login/common/oauth2/v2.0/authorize",
        params=authorize_params(response_mode="fragment"),
        data={"user_id": MARIA, "decision": "allow"},
    )
    assert fragment.headers["location"].startswith(REDIRECT_URI + "#code=")
    bad = http.get("/login/common/oauth2/v2.0/authorize", params=authorize_params(response_mode="smoke"))
    assert httpx2.URL(bad.headers["location"]).params["error"] == "invalid_request"


def test_token_error_description_has_the_documented_shape(http: httpx2.Client) -> None:
    body = refresh(http, "garbage").json()
    assert body["error_description"].startswith("AADSTS9002313: ")
    assert (
        "\r\nTrace ID: " in body["error_description"] and "\r\nCorrelation ID: " in body["error_description"]
    )
    assert body["timestamp"] == "2030-03-17 17:46:40Z"


def test_a_work_account_cannot_use_the_consumers_endpoint(http: httpx2.Client) -> None:
    response = http.post(
        "/login/consumers/oauth2/v2.0/authorize",
        params=authorize_params(),
        data={"user_id": MARIA, "decision": "allow"},
    )
    assert response.status_code == 200 and "Pick one of the accounts" in response.text


def test_a_redirect_uri_can_be_registered_by_the_control_api(
    http: httpx2.Client, ms: RunningEmulator
) -> None:
    other = "http://127.0.0.1:9999/integrations/microsoft/callback"
    assert (
        http.get(
            "/login/common/oauth2/v2.0/authorize", params=authorize_params(redirect_uri=other)
        ).status_code
        == 400
    )
    ms.control.add_redirect_uri(CLIENT_ID, other)
    assert (
        http.get(
            "/login/common/oauth2/v2.0/authorize", params=authorize_params(redirect_uri=other)
        ).status_code
        == 200
    )
