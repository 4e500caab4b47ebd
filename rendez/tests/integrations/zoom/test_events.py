"""Zoom's event deliveries, one fixture per event type, signed as Zoom signs them, with exact outcomes."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.test import Client
from django.utils import timezone

from rendez.integrations.zoom import health
from rendez.integrations.zoom.models import Connection, Event
from rendez.jobs.models import Job
from rendez.tests.integrations.zoom.deliveries import (
    MEETING_EVENTS,
    body_of,
    deliver,
    deliver_signed,
    load,
    personal_connection,
    sign,
)
from rendez.tests.integrations.zoom.fixtures import CLIENT_ID, JONAS, MARIA, WEBHOOK_SECRET, connect_staff

# The app and user of the documented `app_deauthorized` example (zoom-api.md §6.7), as in the fixture.
DOC_CLIENT_ID = "ABCDEFGHIJKLMNOPQRST!V"
DOC_ACCOUNT_ID = "AAAAAABBBB"
DOC_USER_ID = "abcD3ojfdbjfg"


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = WEBHOOK_SECRET
    settings.ZOOM_CLIENT_ID = CLIENT_ID


def notice_jobs(connection: Connection) -> list[Job]:
    return list(Job.objects.filter(kind=health.NOTICE_JOB, payload__connection_id=connection.pk))


def deauthorization_of(connection: Connection, client_id: str = CLIENT_ID) -> dict:
    event = load("app_deauthorized")
    event["payload"].update(
        account_id=connection.account_id, user_id=connection.zoom_user_id, client_id=client_id
    )
    return event


def assert_disconnected(connection: Connection) -> None:
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_RECONNECT
    assert "removed from the Zoom account" in connection.broken_reason
    assert connection.broken_at is not None
    assert (connection.access_token_encrypted, connection.refresh_token_encrypted) == ("", "")
    assert (connection.access_token_expires_at, connection.access_token_renew_at) == (None, None)
    [notice] = notice_jobs(connection)
    assert notice.key == f"zoom-connection:{connection.pk}:notice:0"
    assert notice.payload["number"] == 0


def assert_untouched(connection: Connection) -> None:
    before = (connection.status, connection.access_token_encrypted, connection.refresh_token_encrypted)
    connection.refresh_from_db()
    assert (
        connection.status,
        connection.access_token_encrypted,
        connection.refresh_token_encrypted,
    ) == before
    assert connection.status == Connection.Status.CONNECTED
    assert notice_jobs(connection) == []


# --- endpoint.url_validation --------------------------------------------------------------------------------


def test_it_answers_url_validation_with_the_hmac_of_the_plain_token(db):
    response = deliver_signed(load("endpoint.url_validation"))

    assert response.status_code == 200
    expected = hmac.new(WEBHOOK_SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert response.json() == {"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": expected}


def test_it_answers_a_repeated_url_validation_again(db):
    # Zoom revalidates every 72 hours and retries; each request needs its answer, or the subscription dies.
    body = body_of(load("endpoint.url_validation"))
    headers = sign(body)

    first, second = deliver(body, headers), deliver(body, headers)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["plainToken"] == "qgg8vlvZRS6UYooatFL8Aw"


# --- app_deauthorized ---------------------------------------------------------------------------------------


def test_the_documented_app_deauthorized_disconnects_the_matching_staff_member(settings, maria, jonas):
    # The fixture exactly as zoom-api.md §6.7 shows it: `event_ts` as text inside the payload.
    settings.ZOOM_CLIENT_ID = DOC_CLIENT_ID
    removed = personal_connection(maria, DOC_ACCOUNT_ID, DOC_USER_ID)
    colleague = personal_connection(jonas, DOC_ACCOUNT_ID, "another-zoom-user")
    started = timezone.now()

    response = deliver_signed(load("app_deauthorized"))

    assert response.status_code == 204
    assert_disconnected(removed)
    assert_untouched(colleague)
    event = Event.objects.get()
    assert (event.event_type, event.account_id, event.outcome) == (
        "app_deauthorized",
        DOC_ACCOUNT_ID,
        Event.Outcome.PROCESSED,
    )
    assert event.detail == "1 connection(s) disconnected"
    assert started <= event.received_at <= timezone.now()


def test_app_deauthorized_disconnects_a_staff_member_connected_through_oauth(zoom, api, maria, jonas):
    removed = connect_staff(api, zoom, maria, MARIA)
    colleague = connect_staff(api, zoom, jonas, JONAS)

    response = deliver_signed(deauthorization_of(removed))

    assert response.status_code == 204
    assert_disconnected(removed)
    assert_untouched(colleague)
    assert Event.objects.get().outcome == Event.Outcome.PROCESSED


def test_the_emulators_remove_app_delivery_verifies_and_disconnects(zoom, inbox, api, maria):
    connection = connect_staff(api, zoom, maria, MARIA)

    zoom.control.trigger("app_deauthorized", client_id=CLIENT_ID, user_id=MARIA)
    assert zoom.control.wait_for_webhooks()
    assert inbox.events() == ["app_deauthorized"]
    response = inbox.replay(Client())

    assert response.status_code == 204
    assert_disconnected(connection)


def test_another_apps_deauthorization_is_recorded_and_ignored(maria):
    connection = personal_connection(maria, DOC_ACCOUNT_ID, DOC_USER_ID)

    response = deliver_signed(deauthorization_of(connection, client_id=DOC_CLIENT_ID))

    assert response.status_code == 204
    assert_untouched(connection)
    event = Event.objects.get()
    assert (event.event_type, event.outcome, event.detail) == (
        "app_deauthorized",
        Event.Outcome.IGNORED,
        "another app's client id",
    )


def test_a_deauthorization_of_nobody_we_know_changes_nothing(settings, maria):
    settings.ZOOM_CLIENT_ID = DOC_CLIENT_ID
    connection = personal_connection(maria, "some-account", "some-user")

    response = deliver_signed(load("app_deauthorized"))  # the documented ids match nobody here

    assert response.status_code == 204
    assert_untouched(connection)
    assert Event.objects.get().detail == "0 connection(s) disconnected"


# --- processed once -----------------------------------------------------------------------------------------


def test_a_retried_deauthorization_is_processed_once(zoom, api, maria):
    first_connection = connect_staff(api, zoom, maria, MARIA)
    body = body_of(deauthorization_of(first_connection))
    headers = sign(body)
    assert deliver(body, headers).status_code == 204
    assert_disconnected(first_connection)
    # Maria reconnects before Zoom's retry of the same delivery arrives (Zoom retries after 5, 20, 60 min).
    reconnected = connect_staff(api, zoom, maria, MARIA)

    retry = deliver(body, headers)

    assert retry.status_code == 204
    assert_untouched(reconnected)
    assert Event.objects.count() == 1
    assert Job.objects.filter(kind=health.NOTICE_JOB).count() == 1


@pytest.mark.parametrize("event_type", MEETING_EVENTS)
def test_a_retried_meeting_event_is_recorded_once(db, event_type):
    body = body_of(load(event_type))
    headers = sign(body)

    responses = [deliver(body, headers), deliver(body, headers)]

    assert [response.status_code for response in responses] == [204, 204]
    assert Event.objects.filter(event_type=event_type).count() == 1


# --- meeting events (acting on them when the meeting is Rendez's: test_zoom_side_changes.py) ----------------

# What each fixture comes to when Rendez keeps no meeting with its id.
IGNORED_MEETING_EVENTS = {
    "meeting.created": "no action for this event type",
    "meeting.updated": "no change of time",  # the fixture changes the topic only
    "meeting.deleted": "meeting 98884753832 is not one Rendez keeps",
    "meeting.started": "no action for this event type",
    "meeting.ended": "no action for this event type",
}


@pytest.mark.parametrize("event_type", MEETING_EVENTS)
def test_meeting_events_of_meetings_unknown_to_rendez_are_recorded_and_ignored(db, event_type):
    started = timezone.now()

    response = deliver_signed(load(event_type))

    assert response.status_code == 204
    assert response.content == b""
    event = Event.objects.get()
    assert (event.event_type, event.account_id, event.outcome, event.detail) == (
        event_type,
        "VjZoEArIT5y-HlWxkV-tVA",
        Event.Outcome.IGNORED,
        IGNORED_MEETING_EVENTS[event_type],
    )
    assert started <= event.received_at <= timezone.now()
    assert not Job.objects.exists()


def test_the_signature_window_reaches_five_minutes_back(db):
    body = body_of(load("meeting.created"))

    response = deliver(body, sign(body, timestamp=int(timezone.now().timestamp()) - 240))

    assert response.status_code == 204
    assert Event.objects.count() == 1
