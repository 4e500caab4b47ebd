"""`Reminders` for any provider's holder: one breakage, notices at once and after 1, 3 and 7 days, each once;
a holder fixed or broken again in between stops the old breakage's reminders."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from rendez.integrations.zoom.models import Connection
from rendez.jobs.models import Job
from rendez.tests.integrations.oauth.holders import REMINDERS, make_holder


def notices() -> list[Job]:
    return list(Job.objects.filter(kind=REMINDERS.job).order_by("pk"))


def test_breaking_records_the_reason_once_and_schedules_the_first_notice_at_once(fake, alice):
    holder = make_holder(fake, alice)

    with transaction.atomic():
        REMINDERS.mark_needs_reconnect(holder, "Revoked at the provider.")
        REMINDERS.mark_needs_reconnect(holder, "A later, second reason.")

    stored = Connection.objects.get(pk=holder.pk)
    assert (stored.status, stored.broken_reason) == ("needs_reconnect", "Revoked at the provider.")
    [first] = notices()
    assert first.key == f"fake-connection:{holder.pk}:notice:0" and first.tenant_id == alice.pk
    assert first.run_after <= stored.updated_at + timedelta(seconds=1)


def test_each_sent_notice_schedules_the_next_until_the_seventh_day(fake, alice):
    holder = make_holder(fake, alice)
    REMINDERS.mark_needs_reconnect(holder, "Revoked.")
    assert holder.broken_at is not None

    for number in range(4):
        assert REMINDERS.due(holder, holder.broken_at)
        REMINDERS.follow_up(holder, number)

    runs = [job.run_after - holder.broken_at for job in notices()[1:]]
    assert runs == [timedelta(days=1), timedelta(days=3), timedelta(days=7)]
    assert [job.payload["number"] for job in notices()] == [0, 1, 2, 3]


def test_a_reconnected_or_newly_broken_holder_owes_nothing_for_the_old_breakage(fake, alice):
    holder = make_holder(fake, alice)
    REMINDERS.mark_needs_reconnect(holder, "Revoked.")
    first_breakage = holder.broken_at
    assert first_breakage is not None

    REMINDERS.mark_connected(holder)
    holder.save()
    assert not REMINDERS.due(holder, first_breakage)

    REMINDERS.mark_needs_reconnect(holder, "Revoked again.")
    assert holder.broken_at is not None and holder.broken_at != first_breakage
    assert not REMINDERS.due(holder, first_breakage) and REMINDERS.due(holder, holder.broken_at)
    assert not REMINDERS.due(None, first_breakage)
