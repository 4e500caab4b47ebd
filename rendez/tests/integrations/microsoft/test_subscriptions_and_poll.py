"""Polling where Graph cannot notify us; subscriptions (validation handshake answered by Rendez over HTTP,
clientState per subscription stored encrypted, renewal before expiry) beside a safety poll; the notification
endpoint's clientState check and lifecycle events; Graph's passing errors turned into retries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rendez.calendars import syncing
from rendez.calendars.models import BusyBlock, CalendarSync
from rendez.integrations.microsoft import oauth, sync
from rendez.jobs.models import Job
from rendez.tests.integrations.microsoft.world import CLIENT_ID, berlin, outlook_event, run_jobs, sync_now

NOTIFICATIONS = "/integrations/microsoft/notifications"


def waiting_sync() -> Job:
    return Job.objects.get(kind=sync.SYNC, state=Job.State.PENDING)


def seconds_until(job: Job) -> float:
    return (job.run_after - timezone.now()).total_seconds()


@pytest.fixture
def push(settings, microsoft, live_server):
    """Rendez served over HTTP where the emulator can reach it (Graph itself would need https)."""
    settings.BASE_URL = live_server.url
    settings.MICROSOFT_NOTIFICATIONS_OVER_HTTP = True
    microsoft.control.allow_http_notifications()
    microsoft.control.add_redirect_uri(CLIENT_ID, oauth.redirect_uri())


def test_without_https_no_subscription_and_the_next_sync_is_a_poll_in_60_seconds(microsoft, connected):
    assert 50 < seconds_until(waiting_sync()) <= 60
    assert microsoft.control.requests("POST", "/graph/v1.0/subscriptions") == []


def test_a_subscription_is_validated_by_rendez_and_renewed_before_expiry(microsoft, push, connected):
    sync_now(connected)
    [created] = microsoft.control.requests("POST", "/graph/v1.0/subscriptions")
    assert created["status"] == 201  # the emulator's validation POST got the token back from Rendez
    body = created["body"]
    assert body["notificationUrl"].endswith(NOTIFICATIONS) and body["changeType"] == "created,updated,deleted"
    assert body["resource"] == f"me/calendars/{connected.write_calendar_id}/events"
    state = CalendarSync.objects.get(connection=connected)
    assert state.channel_token == body["clientState"] and len(body["clientState"]) >= 32
    assert body["clientState"] not in state.channel_token_encrypted  # encrypted at rest
    assert state.channel_expires_at is not None
    assert state.channel_expires_at > timezone.now() + timedelta(days=2)
    assert 14 * 60 < seconds_until(waiting_sync()) <= 15 * 60

    CalendarSync.objects.filter(pk=state.pk).update(channel_expires_at=timezone.now() + timedelta(hours=2))
    sync_now(connected)
    [renewal] = microsoft.control.requests("PATCH", f"/graph/v1.0/subscriptions/{state.channel_id}")
    assert renewal["status"] == 200 and set(renewal["body"]) == {"expirationDateTime"}
    assert len(microsoft.control.requests("POST", "/graph/v1.0/subscriptions")) == 1
    renewed = CalendarSync.objects.get(pk=state.pk).channel_expires_at
    assert renewed is not None and renewed > timezone.now() + timedelta(days=2)


def notification(state: CalendarSync, client_state: str, **extra) -> bytes:
    item = {"subscriptionId": state.channel_id, "clientState": client_state, "changeType": "created", **extra}
    return json.dumps({"value": [item]}).encode()


def test_the_validation_token_is_echoed_as_plain_text():
    url = f"{NOTIFICATIONS}?validationToken=Validation%3A%20Testing+client"
    answer = Client().post(url, b"", content_type="text/plain; charset=utf-8")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/plain")
    assert answer.content == b"Validation: Testing client"


def test_a_notification_with_its_client_state_syncs_now_a_wrong_one_is_refused(
    microsoft, push, connected, monday
):
    sync_now(connected)
    state = CalendarSync.objects.get(connection=connected)
    outlook_event(microsoft, berlin(monday, 10), berlin(monday, 11))
    # The emulator notifies Rendez of that event itself, from another thread: once that has landed, its
    # sync request is pushed out with the waiting poll (else it could arrive after and look like ours).
    assert microsoft.control.wait_for_notifications()
    web = Client()
    Job.objects.filter(kind=sync.SYNC, state=Job.State.PENDING).update(
        run_after=timezone.now() + timedelta(minutes=15)
    )

    wrong = web.post(NOTIFICATIONS, notification(state, "guess"), content_type="application/json")
    assert wrong.status_code == 403
    assert seconds_until(waiting_sync()) > 60  # nothing asked for a sync

    right = web.post(NOTIFICATIONS, notification(state, state.channel_token), content_type="application/json")
    assert right.status_code == 202
    assert seconds_until(waiting_sync()) <= 0
    run_jobs()
    assert BusyBlock.objects.filter(connection=connected, start=berlin(monday, 10)).exists()


def test_lifecycle_events_reauthorize_or_recreate_the_subscription(microsoft, push, connected):
    sync_now(connected)
    state = CalendarSync.objects.get(connection=connected)
    web = Client()
    reauthorize = notification(state, state.channel_token, lifecycleEvent="reauthorizationRequired")
    assert web.post(NOTIFICATIONS, reauthorize, content_type="application/json").status_code == 202
    run_jobs()
    assert microsoft.control.requests("PATCH", f"/graph/v1.0/subscriptions/{state.channel_id}")

    removed = notification(state, state.channel_token, lifecycleEvent="subscriptionRemoved")
    assert web.post(NOTIFICATIONS, removed, content_type="application/json").status_code == 202
    assert CalendarSync.objects.get(pk=state.pk).channel_id == ""
    run_jobs()
    assert len(microsoft.control.requests("POST", "/graph/v1.0/subscriptions")) == 2
    assert CalendarSync.objects.get(pk=state.pk).channel_id not in ("", state.channel_id)


@pytest.mark.parametrize(
    ("kind", "status", "says_when"), [("429", 429, True), ("503", 503, False), ("500", 500, False)]
)
def test_throttling_and_server_errors_retry_later_honouring_retry_after(
    microsoft, connected, kind, status, says_when
):
    if kind == "429":
        microsoft.control.set_faults(throttle_count=1, retry_after_seconds=120)
    else:
        microsoft.control.set_faults(error_rate=1.0, error_kind=kind, error_count=1, retry_after_seconds=120)
    syncing.request_sync(connected)
    run_jobs()
    job = waiting_sync()
    assert f"answered {status}" in job.last_error
    assert job.attempts == 0  # polling outlives any outage
    # 429 said 120 s; the 503 said 10 s, less than a poll: the next poll, in 60 s.
    assert 100 < seconds_until(job) <= 120 if says_when else 50 < seconds_until(job) <= 60


def test_a_subscription_graph_refuses_leaves_the_60_second_poll(settings, microsoft, connected, monday):
    settings.MICROSOFT_NOTIFICATIONS_OVER_HTTP = True
    settings.BASE_URL = "http://127.0.0.1:9"  # nothing answers Graph's validation request there
    microsoft.control.allow_http_notifications()
    outlook_event(microsoft, berlin(monday, 10), berlin(monday, 11))
    sync_now(connected)

    [refused] = microsoft.control.requests("POST", "/graph/v1.0/subscriptions")
    assert refused["status"] == 400
    assert CalendarSync.objects.get(connection=connected).channel_id == ""
    assert BusyBlock.objects.filter(connection=connected).count() == 1  # the delta poll still did its work
    assert 50 < seconds_until(waiting_sync()) <= 60
