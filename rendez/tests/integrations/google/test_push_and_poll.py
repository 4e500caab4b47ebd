"""Polling where push cannot reach us, push channels (renewed before expiry) beside a safety poll, the
notification endpoint's token check, and Google's passing errors turned into retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rendez.calendars import syncing
from rendez.calendars.models import BusyBlock, CalendarSync
from rendez.integrations.google import sync
from rendez.jobs.models import Job
from rendez.tests.integrations.google.world import MARIA, berlin, run_jobs, sync_now, user_event

NOTIFICATIONS = "/integrations/google/notifications"


def waiting_sync() -> Job:
    return Job.objects.get(kind=sync.SYNC, state=Job.State.PENDING)


def seconds_until(job: Job) -> float:
    return (job.run_after - timezone.now()).total_seconds()


@pytest.fixture
def push(settings, google):
    settings.GOOGLE_PUSH_OVER_HTTP = True
    google.control.settings(allow_insecure_push=True)


def test_without_push_the_next_sync_is_a_poll_in_60_seconds(google, connected):
    assert 50 < seconds_until(waiting_sync()) <= 60
    assert google.control.requests("POST", f"/calendar/v3/calendars/{MARIA}/events/watch") == []


def test_with_push_a_channel_is_watched_and_a_safety_poll_waits_15_minutes(google, push, connected):
    sync_now(connected)
    [watch] = google.control.requests("POST", f"/calendar/v3/calendars/{MARIA}/events/watch")
    assert watch["body"]["address"] == "http://testserver/integrations/google/notifications"
    assert watch["body"]["type"] == "web_hook" and len(watch["body"]["token"]) >= 32
    state = CalendarSync.objects.get(connection=connected)
    assert state.channel_id == watch["body"]["id"] and state.channel_token == watch["body"]["token"]
    assert state.channel_token_encrypted != watch["body"]["token"]  # encrypted at rest
    assert 14 * 60 < seconds_until(waiting_sync()) <= 15 * 60


def test_a_channel_close_to_expiry_is_renewed_and_the_old_one_stopped(google, push, connected):
    sync_now(connected)
    old = CalendarSync.objects.get(connection=connected)
    CalendarSync.objects.filter(pk=old.pk).update(channel_expires_at=timezone.now() + timedelta(hours=2))
    sync_now(connected)

    watches = google.control.requests("POST", f"/calendar/v3/calendars/{MARIA}/events/watch")
    assert len(watches) == 2
    [stop] = google.control.requests("POST", "/calendar/v3/channels/stop")
    assert stop["body"] == {"id": old.channel_id, "resourceId": old.channel_resource_id}
    renewed = CalendarSync.objects.get(pk=old.pk)
    assert renewed.channel_id == watches[1]["body"]["id"] != old.channel_id
    assert renewed.channel_expires_at is not None
    assert renewed.channel_expires_at > timezone.now() + timedelta(days=6)


def test_a_notification_with_its_channel_token_syncs_now_others_are_refused(google, push, connected, monday):
    sync_now(connected)
    user_event(google, berlin(monday, 10), berlin(monday, 11))
    google.control.wait_for_pushes()
    sent = [p for p in google.control.pushes() if p["headers"]["X-Goog-Resource-State"] == "exists"][-1]
    headers = {name: value for name, value in sent["headers"].items() if name.startswith("X-Goog-")}
    web = Client()

    wrong = web.post(
        NOTIFICATIONS, b"", content_type="", headers={**headers, "X-Goog-Channel-Token": "guess"}
    )
    assert wrong.status_code == 403
    unknown = web.post(NOTIFICATIONS, b"", content_type="", headers={**headers, "X-Goog-Channel-ID": "nope"})
    assert unknown.status_code == 404
    assert seconds_until(waiting_sync()) > 60  # nothing asked for a sync yet

    assert web.post(NOTIFICATIONS, b"", content_type="", headers=headers).status_code == 200
    assert seconds_until(waiting_sync()) <= 0
    run_jobs()
    assert BusyBlock.objects.filter(connection=connected, start=berlin(monday, 10)).exists()


@pytest.mark.parametrize(
    ("fault", "status", "says_when"),
    [
        ("429", 429, True),
        ("503", 503, True),
        # Google's guide does not promise Retry-After on these: the next poll, in 60 s.
        ("rateLimitExceeded", 403, False),
        ("userRateLimitExceeded", 403, False),
        ("500", 500, False),
    ],
)
def test_rate_limits_and_server_errors_retry_later_honouring_retry_after(
    google, connected, fault, status, says_when
):
    google.control.set_faults(fail_next=1, fail_with=fault, retry_after=120)
    syncing.request_sync(connected)
    run_jobs()
    job = waiting_sync()
    assert f"answered {status}" in job.last_error
    # Without spending an attempt: polling outlives any outage.
    assert job.attempts == 0
    assert 100 < seconds_until(job) <= 120 if says_when else 50 < seconds_until(job) <= 60
    assert google.control.requests("GET", f"/calendar/v3/calendars/{MARIA}/events")[-1]["status"] == status


def test_a_reset_connection_retries_and_the_next_attempt_syncs(google, connected, monday):
    user_event(google, berlin(monday, 10), berlin(monday, 11))
    google.control.set_faults(fail_next=1, fail_with="reset")
    syncing.request_sync(connected)
    run_jobs()
    assert not BusyBlock.objects.filter(connection=connected).exists()
    Job.objects.filter(kind=sync.SYNC, state=Job.State.PENDING).update(run_after=timezone.now())
    run_jobs()
    assert BusyBlock.objects.filter(connection=connected).count() == 1
