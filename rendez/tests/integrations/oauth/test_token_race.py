"""Twenty processes needing one holder's token at once make one request of a provider whose refresh tokens
rotate, whoever the provider is. Threads stand in for processes, each with its own database connection, and
start together at a barrier. PostgreSQL only: SQLite has no row locks to race on."""

from __future__ import annotations

import pytest

from rendez.integrations.zoom.models import Connection
from rendez.jobs.models import Job
from rendez.tests.integrations.oauth.holders import FakeTokens, expire_locally, make_holder
from rendez.tests.integrations.zoom.test_token_race import THREADS, run_together

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("transactional_db")]


def test_twenty_threads_after_expiry_make_one_refresh_and_keep_the_only_live_refresh_token(fake, alice):
    holder = make_holder(fake, alice)
    expire_locally(holder)
    fake.log.clear()
    keeper = FakeTokens(fake.provider())

    handed_out = run_together(holder.pk, keeper.access_token)

    assert len(fake.requests("/token")) == 1
    assert len(set(handed_out)) == 1 and handed_out[0] in fake.access_tokens
    holder.refresh_from_db()
    assert holder.is_usable and fake.refresh_tokens == {holder.refresh_token}


def test_twenty_threads_with_a_rejected_token_renew_it_once(fake, alice):
    holder = make_holder(fake, alice)
    rejected = holder.access_token
    fake.log.clear()
    keeper = FakeTokens(fake.provider())

    handed_out = run_together(holder.pk, lambda own: keeper.after_rejection(own, rejected))

    assert len(fake.requests("/token")) == 1
    assert len(handed_out) == THREADS and set(handed_out) == {
        Connection.objects.get(pk=holder.pk).access_token
    }


def test_twenty_threads_meeting_a_revoked_grant_ask_once_and_break_it_once(fake, alice):
    holder = make_holder(fake, alice)
    expire_locally(holder)
    fake.revoke_all()
    fake.log.clear()
    keeper = FakeTokens(fake.provider())

    def attempt(own: Connection) -> str:
        try:
            return keeper.access_token(own)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test compares
            return type(exc).__name__

    outcomes = run_together(holder.pk, attempt)

    assert outcomes == ["Unusable"] * THREADS
    assert len(fake.requests("/token")) == 1
    holder.refresh_from_db()
    assert holder.status == Connection.Status.NEEDS_RECONNECT
    assert Job.objects.filter(kind="fake.connection_notice").count() == 1
