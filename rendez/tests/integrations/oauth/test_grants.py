"""The kit's grants over HTTP against a fake provider: exact requests, both client authentication styles, and
the line between a refused grant (a person must act) and an outage (try again)."""

from __future__ import annotations

import base64
import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from rendez.integrations.oauth import grants
from rendez.integrations.oauth.provider import (
    GrantRefused,
    ProviderUnavailable,
    TokenGrant,
    UnreadableAnswer,
)
from rendez.integrations.oauth.state import pkce_pair
from rendez.tests.integrations.oauth.fake_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    FakeProvider,
)


def connected(fake: FakeProvider) -> TokenGrant:
    verifier, _ = pkce_pair()
    return grants.exchange_code(fake.provider(), fake.issue_code(verifier), verifier)


def test_the_authorize_url_asks_for_a_code_with_pkce_and_the_providers_own_parameters(fake):
    provider = fake.provider(scopes=("openid", "calendar.read"), authorize_params={"prompt": "consent"})

    url = grants.authorize_url(provider, "the-state", "the-challenge")

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{fake.base_url}/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": [CLIENT_ID],
        "redirect_uri": [REDIRECT_URI],
        "scope": ["openid calendar.read"],
        "prompt": ["consent"],
        "state": ["the-state"],
        "code_challenge": ["the-challenge"],
        "code_challenge_method": ["S256"],
    }


def test_a_code_is_exchanged_with_the_client_secret_in_the_form_body(fake):
    verifier, _ = pkce_pair()
    code = fake.issue_code(verifier)

    grant = grants.exchange_code(fake.provider(), code, verifier)

    assert grant.access_token in fake.access_tokens and grant.refresh_token in fake.refresh_tokens
    assert grant.expires_in == 3600 and grant.scope == "calendar.read"
    [call] = fake.requests("/token")
    assert call["form"] == {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    assert "Authorization" not in call["headers"]
    assert call["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert call["headers"]["Accept"] == "application/json"


def test_a_basic_auth_provider_gets_the_client_in_the_header_and_never_in_the_body(fake_basic):
    grant = connected(fake_basic)

    refreshed = grants.refresh(fake_basic.provider(), grant.refresh_token or "")

    assert refreshed.refresh_token and refreshed.refresh_token != grant.refresh_token
    expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    for call in fake_basic.requests("/token"):
        assert call["headers"]["Authorization"] == expected
        assert "client_id" not in call["form"] and "client_secret" not in call["form"]


def test_other_credentials_can_be_used_for_a_providers_own_grant(fake_basic):
    with pytest.raises(GrantRefused) as refused:
        grants.request_grant(fake_basic.provider(), {"grant_type": "client_credentials"}, ("other", "pw"))

    [call] = fake_basic.requests("/token")
    assert call["headers"]["Authorization"] == "Basic " + base64.b64encode(b"other:pw").decode()
    assert refused.value.is_invalid_client and refused.value.status == 401
    assert refused.value.reason == "Client authentication failed."  # read from Zoom's `reason`


def test_a_wrong_verifier_is_a_refused_grant_with_the_providers_reason(fake):
    verifier, _ = pkce_pair()
    code = fake.issue_code(verifier)

    with pytest.raises(GrantRefused) as refused:
        grants.exchange_code(fake.provider(), code, "another-verifier")

    assert refused.value.is_invalid_grant and not refused.value.retryable
    assert refused.value.message == (
        "Fake refused the authorization (invalid_grant): Bad code, verifier or redirect URI."
    )


def test_a_revoked_grant_refreshes_into_invalid_grant(fake):
    grant = connected(fake)
    fake.revoke_all()

    with pytest.raises(GrantRefused) as refused:
        grants.refresh(fake.provider(), grant.refresh_token or "")

    assert refused.value.is_invalid_grant and refused.value.status == 400


def test_a_rotating_providers_refresh_without_a_new_refresh_token_is_not_accepted(fake):
    grant = connected(fake)
    fake.answer_next(200, {"access_token": "at", "expires_in": 3600})

    with pytest.raises(GrantRefused) as refused:
        grants.refresh(fake.provider(), grant.refresh_token or "")

    assert (refused.value.error, refused.value.status) == ("invalid_response", 200)
    assert refused.value.reason == "Fake's refresh answer had no refresh_token"


def test_a_provider_that_keeps_its_refresh_token_answers_without_one(fake_keeping):
    grant = connected(fake_keeping)

    refreshed = grants.refresh(fake_keeping.provider(), grant.refresh_token or "")

    assert refreshed.refresh_token is None and refreshed.access_token != grant.access_token
    assert grant.refresh_token in fake_keeping.refresh_tokens


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (500, {"error": "server_error"}, "application/json"),
        (503, "", "text/plain"),
        (429, {"error": "rate_limited"}, "application/json"),
        # Not the token endpoint speaking: a proxy's page, an empty or truncated body.
        (400, "<html>Bad Request</html>", "text/html"),
        (401, "", "application/json"),
        (400, '{"error": "invalid_gr', "application/json"),
    ],
)
def test_outages_and_foreign_answers_are_worth_retrying(fake, status, body, content_type):
    fake.answer_next(status, body, content_type)

    with pytest.raises(ProviderUnavailable) as unavailable:
        grants.refresh(fake.provider(), "fake-rt-any")

    assert unavailable.value.retryable
    assert unavailable.value.message == f"Fake's OAuth service answered {status}; trying again later"


def test_an_unreachable_provider_is_an_outage(fake):
    closed = fake.provider(token_url="http://127.0.0.1:9/token")

    with pytest.raises(ProviderUnavailable, match="Fake's OAuth service could not be reached"):
        grants.refresh(closed, "fake-rt-any")


def test_a_success_without_a_grant_in_it_is_unreadable_and_retryable(fake):
    fake.answer_next(200, "<html>Welcome</html>", "text/html")

    with pytest.raises(UnreadableAnswer) as unreadable:
        grants.refresh(fake.provider(), "fake-rt-any")

    assert unreadable.value.retryable and unreadable.value.status == 200
    assert "not the expected TokenGrant (not JSON)" in unreadable.value.message


def test_a_providers_grant_model_keeps_its_own_fields(fake):
    class GrantWithId(TokenGrant):
        id_token: str | None = None

    verifier, _ = pkce_pair()
    code = fake.issue_code(verifier)
    fake.answer_next(200, {"access_token": "at", "expires_in": 60, "id_token": "header.claims.sig"})

    grant = grants.exchange_code(fake.provider(grant_model=GrantWithId), code, verifier)

    assert isinstance(grant, GrantWithId) and grant.id_token == "header.claims.sig"


def test_revoking_a_live_token_kills_it_and_an_unknown_one_counts_as_revoked(fake):
    grant = connected(fake)

    assert grants.revoke(fake.provider(), grant.refresh_token or "") is True
    assert grant.refresh_token not in fake.refresh_tokens
    assert grants.revoke(fake.provider(), grant.refresh_token or "") is True  # 400 invalid_token

    calls = fake.requests("/revoke")
    assert [call["form"]["token"] for call in calls] == [grant.refresh_token] * 2
    assert all(call["form"]["client_id"] == CLIENT_ID for call in calls)


def test_a_provider_without_a_revocation_endpoint_is_not_called(fake):
    assert grants.revoke(fake.provider(revoke_url=""), "fake-rt-any") is False
    assert fake.log == []


def test_a_revocation_during_an_outage_raises_for_a_retry(fake):
    fake.answer_next(502, "Bad gateway", "text/plain")

    with pytest.raises(ProviderUnavailable):
        grants.revoke(fake.provider(), "fake-rt-any")


def test_tokens_never_reach_the_log(fake, caplog):
    caplog.set_level(logging.INFO)
    grant = connected(fake)
    refreshed = grants.refresh(fake.provider(), grant.refresh_token or "")
    grants.revoke(fake.provider(), refreshed.access_token)

    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "fake oauth /token authorization_code -> 200" in text
    assert "fake oauth /revoke revoke -> 200" in text
    for token in (grant.access_token, grant.refresh_token, refreshed.access_token, refreshed.refresh_token):
        assert token and token not in text
