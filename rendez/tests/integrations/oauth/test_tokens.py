"""The kit's `TokenKeeper` on a provider it was not written for: reuse, renewal stored encrypted, a dead grant
believed under the lock and recorded, an outage that changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rendez.integrations.oauth.provider import ProviderUnavailable
from rendez.integrations.oauth.tokens import renewal_times
from rendez.integrations.zoom.models import Connection
from rendez.jobs.models import Job
from rendez.tests.integrations.oauth.holders import FakeTokens, Unusable, expire_locally, make_holder


@pytest.fixture
def holder(fake, alice) -> Connection:
    return make_holder(fake, alice)


def test_a_token_is_reused_until_shortly_before_it_expires(fake, holder):
    keeper = FakeTokens(fake.provider())
    fake.log.clear()

    assert keeper.access_token(holder) == holder.access_token

    assert fake.log == [] and keeper.outcomes == []


def test_renew_times_leave_five_minutes_or_a_tenth_of_a_short_life():
    now = timezone.now()
    assert renewal_times(3600, now) == (now + timedelta(seconds=3600), now + timedelta(seconds=3300))
    assert renewal_times(600, now) == (now + timedelta(seconds=600), now + timedelta(seconds=540))


def test_an_expired_token_is_renewed_once_and_the_rotated_pair_stored_encrypted(fake, holder):
    keeper = FakeTokens(fake.provider())
    old_refresh = holder.refresh_token
    expire_locally(holder)
    fake.log.clear()

    token = keeper.access_token(holder)

    [call] = fake.requests("/token")
    assert call["form"]["refresh_token"] == old_refresh
    stored = Connection.objects.get(pk=holder.pk)
    assert stored.access_token == token and token in fake.access_tokens
    assert stored.refresh_token in fake.refresh_tokens and stored.refresh_token != old_refresh
    assert (
        token not in stored.access_token_encrypted
        and stored.refresh_token not in stored.refresh_token_encrypted
    )
    assert stored.access_token_renew_at is not None and stored.access_token_renew_at > timezone.now()
    assert keeper.outcomes == ["renewed"]
    assert keeper.access_token(holder) == token and len(fake.requests("/token")) == 1


def test_a_token_the_provider_rejected_is_renewed_but_only_once(fake, holder):
    keeper = FakeTokens(fake.provider())
    rejected = holder.access_token
    fake.log.clear()

    fresh = keeper.after_rejection(holder, rejected)
    # Another process comes with the same rejected token: it gets the fresh one, nothing is requested.
    again = keeper.after_rejection(Connection.objects.get(pk=holder.pk), rejected)

    assert fresh != rejected and again == fresh
    assert len(fake.requests("/token")) == 1


def test_a_dead_grant_marks_the_holder_for_reconnecting_with_its_first_notice(fake, holder):
    keeper = FakeTokens(fake.provider())
    fake.revoke_all()
    expire_locally(holder)

    with pytest.raises(Unusable, match="no longer accepted"):
        keeper.access_token(holder)

    stored = Connection.objects.get(pk=holder.pk)
    assert stored.status == Connection.Status.NEEDS_RECONNECT and stored.broken_at is not None
    assert (
        stored.broken_reason
        == "The authorization is no longer accepted (Token has been expired or revoked.)."
    )
    [notice] = Job.objects.filter(kind="fake.connection_notice")
    assert notice.payload == {
        "connection_id": holder.pk,
        "broken_at": stored.broken_at.isoformat(),
        "number": 0,
    }
    assert keeper.outcomes == ["rejected"]
    fake.log.clear()
    with pytest.raises(Unusable):
        keeper.access_token(stored)
    assert fake.log == []  # a broken holder asks nothing of the provider


def test_an_outage_passes_through_and_changes_nothing(fake, holder):
    keeper = FakeTokens(fake.provider())
    expire_locally(holder)
    before = Connection.objects.values().get(pk=holder.pk)
    fake.answer_next(503, "", "text/plain")

    with pytest.raises(ProviderUnavailable):
        keeper.access_token(holder)

    assert Connection.objects.values().get(pk=holder.pk) == before
    assert not Job.objects.filter(kind="fake.connection_notice").exists()
    assert keeper.access_token(holder) in fake.access_tokens  # the provider is back: renewed now
