"""The kit against the repository's Google look-alike (google_emulator/, written from Google's documentation):
the client's secret in the form body, a refresh token that is kept (never rotated), `invalid_grant` once the
grant is revoked, and Google's 400 `invalid_token` for a token already revoked. This is the provider the kit
will serve next; the exact requests are read from the emulator's request log."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from google_emulator import Emulator
from google_emulator.testing import RunningEmulator, run_emulator
from rendez.integrations.oauth import grants
from rendez.integrations.oauth.provider import GrantRefused, OAuthProvider, TokenGrant
from rendez.integrations.oauth.state import pkce_pair

CLIENT_ID = "rendez-demo.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-rendez-demo-secret"
REDIRECT_URI = "http://127.0.0.1:8000/integrations/google/callback"
MARIA = "maria.koch@demo-clinic.example"
EVENTS_SCOPE = "https://www.googleapis.com/auth/calendar.events"


@pytest.fixture
def google() -> Iterator[RunningEmulator]:
    with run_emulator(Emulator()) as running:
        yield running


def google_provider(google: RunningEmulator) -> OAuthProvider:
    return OAuthProvider(
        name="google",
        label="Google",
        authorize_url=f"{google.oauth_base_url}/o/oauth2/v2/auth",
        token_url=google.token_url,
        revoke_url=google.revoke_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        scopes=("openid", "email", EVENTS_SCOPE),
        authorize_params={"access_type": "offline", "prompt": "consent"},
    )


def consent(authorize_url: str, state: str) -> str:
    """Maria approves on the consent page; the code Google sends the browser back with."""
    answer = httpx2.post(authorize_url, data={"decision": "allow", "account": MARIA, "scope": [EVENTS_SCOPE]})
    assert answer.status_code == 302, answer.text
    back = parse_qs(urlsplit(answer.headers["location"]).query)
    assert back["state"] == [state]
    return back["code"][0]


def connect(google: RunningEmulator) -> TokenGrant:
    provider = google_provider(google)
    verifier, challenge = pkce_pair()
    code = consent(grants.authorize_url(provider, "s-1", challenge), "s-1")
    return grants.exchange_code(provider, code, verifier)


def test_a_google_connect_refresh_and_revoke_go_through_the_kit(google):
    provider = google_provider(google)
    grant = connect(google)
    assert grant.refresh_token and EVENTS_SCOPE in grant.scope.split()

    refreshed = grants.refresh(provider, grant.refresh_token)
    assert refreshed.refresh_token is None and refreshed.access_token != grant.access_token

    assert grants.revoke(provider, grant.refresh_token) is True
    assert grants.revoke(provider, grant.refresh_token) is True  # 400 invalid_token: already gone
    with pytest.raises(GrantRefused) as refused:
        grants.refresh(provider, grant.refresh_token)
    assert refused.value.is_invalid_grant and refused.value.reason == "Token has been expired or revoked."

    calls = google.control.requests(method="POST", path="/oauth2/token")
    grant_types = [call["body"]["grant_type"] for call in calls]
    assert grant_types == ["authorization_code", "refresh_token", "refresh_token"]
    for call in calls + google.control.requests(method="POST", path="/oauth2/revoke"):
        assert (call["body"]["client_id"], call["body"]["client_secret"]) == (CLIENT_ID, CLIENT_SECRET)
        assert "authorization" not in call["headers"]
    revokes = google.control.requests(method="POST", path="/oauth2/revoke")
    assert [call["status"] for call in revokes] == [200, 400]


def test_a_wrong_verifier_is_refused_by_google(google):
    provider = google_provider(google)
    _, challenge = pkce_pair()
    code = consent(grants.authorize_url(provider, "s-2", challenge), "s-2")

    with pytest.raises(GrantRefused) as refused:
        grants.exchange_code(provider, code, pkce_pair()[0])

    assert refused.value.is_invalid_grant and refused.value.status == 400
