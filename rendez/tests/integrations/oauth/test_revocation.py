"""Revoking in the background for any registered provider: the job holds the token encrypted, revokes at the
provider over HTTP, retries an outage and gives up on a refusal."""

from __future__ import annotations

import pytest

from rendez import jobs
from rendez.integrations.oauth import grants, revocation
from rendez.integrations.oauth.state import pkce_pair
from rendez.jobs.models import Job
from rendez.jobs.worker import Worker


@pytest.fixture
def registered(fake):
    revocation.register("fake", fake.provider)
    yield fake
    revocation._providers.pop("fake", None)


def granted_refresh_token(fake) -> str:
    verifier, _ = pkce_pair()
    return grants.exchange_code(fake.provider(), fake.issue_code(verifier), verifier).refresh_token or ""


def test_a_revocation_job_keeps_the_token_encrypted_and_revokes_it_when_run(registered, alice):
    token = granted_refresh_token(registered)

    revocation.revoke_later("fake", token, tenant_id=alice.pk)

    job = Job.objects.get(kind=revocation.REVOKE_JOB)
    assert token not in str(job.payload) and job.tenant_id == alice.pk
    assert Worker(listen=False).run_once() == 1
    assert Job.objects.get(pk=job.pk).state == Job.State.SUCCEEDED
    assert token not in registered.refresh_tokens
    [call] = registered.requests("/revoke")
    assert call["form"]["token"] == token


def test_nothing_is_enqueued_for_an_empty_token(alice):
    revocation.revoke_later("fake", "")
    assert not Job.objects.filter(kind=revocation.REVOKE_JOB).exists()


def test_an_outage_retries_and_a_refusal_gives_up(registered):
    provider = registered.provider()
    registered.answer_next(503, "", "text/plain")
    with pytest.raises(jobs.Retry):
        revocation.revoke_now(provider, "fake-rt-any")

    registered.answer_next(401, {"error": "invalid_client", "error_description": "Unknown client."})
    with pytest.raises(jobs.PermanentError, match="Fake refused the authorization \\(invalid_client\\)"):
        revocation.revoke_now(provider, "fake-rt-any")


def test_other_credentials_travel_encrypted_and_are_used(registered, alice):
    token = granted_refresh_token(registered)

    revocation.revoke_later("fake", token, credentials=("other-client", "other-secret"))

    job = Job.objects.get(kind=revocation.REVOKE_JOB)
    assert job.payload["client_id"] == "other-client" and "other-secret" not in str(job.payload)
    Worker(listen=False).run_once()
    [call] = registered.requests("/revoke")
    assert (call["form"]["client_id"], call["form"]["client_secret"]) == ("other-client", "other-secret")
    # The fake knows only its own client: the refusal ended the job instead of retrying it.
    assert Job.objects.get(pk=job.pk).state == Job.State.DEAD


def test_a_job_for_a_provider_nobody_registered_ends_at_once(db):
    with pytest.raises(jobs.PermanentError, match="No OAuth provider 'gone'"):
        revocation.revoke(revocation.RevokePayload(provider="gone", token="x"), None)  # type: ignore[arg-type]
