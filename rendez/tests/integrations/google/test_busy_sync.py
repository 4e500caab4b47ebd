"""Busy times synced from Google Calendar (over HTTP against the emulator) block slots and bookings."""

from __future__ import annotations

from datetime import timedelta

from rendez.calendars import choices
from rendez.calendars.models import BusyBlock, CalendarConnection, CalendarSync
from rendez.integrations.google import sync
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.google.world import (
    MARIA,
    berlin,
    event_lists,
    settle,
    sync_now,
    user_event,
)


def slots(api, service, day):
    query = {"service_id": service.pk, "date_from": day.isoformat(), "date_to": day.isoformat()}
    response = api.get("/slots", query)
    assert response.status_code == 200, response.content
    return [slot["start"] for slot in response.json()]


def book(api, service, staff, start):
    return api.post(
        "/bookings",
        {
            "service_id": service.pk,
            "staff_id": staff.pk,
            "start": start.isoformat(),
            "customer": {"name": "Charlie", "email": "charlie@example.com"},
        },
    )


def test_a_busy_event_removes_the_slot_and_a_booking_into_it_is_refused(
    google, connected, api, alice, maria, monday
):
    service = make_service(alice, maria, name="Session", duration_minutes=60, slot_interval_minutes=60)
    assert berlin(monday, 10).isoformat() in slots(api, service, monday)

    user_event(google, berlin(monday, 10, 15), berlin(monday, 10, 45))
    sync_now(connected)

    google.control.clear_requests()
    assert berlin(monday, 10).isoformat() not in slots(api, service, monday)
    refused = book(api, service, maria, berlin(monday, 10))
    assert refused.status_code == 409, refused.content
    assert refused.json()["error"]["code"] == "conflict"
    assert book(api, service, maria, berlin(monday, 11)).status_code == 201
    assert google.control.requests() == []  # slots and booking read the database only, never Google


def test_the_first_sync_is_full_then_incremental_and_a_410_triggers_a_full_sync(google, connected, monday):
    lists = event_lists(google)
    assert len(lists) == 1 and "syncToken" not in lists[0]["query"] and "timeMin" in lists[0]["query"]
    user_event(google, berlin(monday, 9), berlin(monday, 10), "One")
    sync_now(connected)
    incremental = event_lists(google)[-1]
    assert set(incremental["query"]) == {"syncToken", "singleEvents", "maxResults"}

    google.control.invalidate_sync_tokens(MARIA)
    user_event(google, berlin(monday, 12), berlin(monday, 13), "Two")
    sync_now(connected)

    refused, full = event_lists(google)[-2:]
    assert refused["status"] == 410 and "syncToken" in refused["query"]
    assert full["status"] == 200 and "syncToken" not in full["query"] and "timeMin" in full["query"]
    assert CalendarSync.objects.get(connection=connected).full_syncs == 2
    assert sorted(b.start for b in BusyBlock.objects.filter(connection=connected)) == [
        berlin(monday, 9),
        berlin(monday, 12),
    ]


def test_free_declined_and_own_events_never_block_all_day_ones_do(google, connected, monday):
    user_event(google, berlin(monday, 9), berlin(monday, 10), "Lunch (free)", transparency="transparent")
    user_event(
        google,
        berlin(monday, 11),
        berlin(monday, 12),
        "Vendor pitch",
        attendees=[
            {"email": "vendor@example.com", "organizer": True},
            {"email": MARIA, "responseStatus": "declined"},
        ],
    )
    user_event(
        google,
        berlin(monday, 13),
        berlin(monday, 14),
        "Ours",
        extendedProperties={"private": {"rendezAppointment": "999"}},
    )
    tuesday = monday + timedelta(days=1)
    google.control.user_creates_event(
        MARIA,
        {
            "summary": "Training day",
            "start": {"date": tuesday.isoformat()},
            "end": {"date": (tuesday + timedelta(days=1)).isoformat()},
        },
    )
    sync_now(connected)
    blocks = list(BusyBlock.objects.filter(connection=connected))
    assert [(b.start, b.end, b.all_day) for b in blocks] == [
        (berlin(tuesday, 0), berlin(tuesday + timedelta(days=1), 0), True)
    ]

    # The staff member asks for free events to block: the full sync the writer asks for counts them.
    connected = choices.choose(connected, choices.Choices(transparent_events_block=True))
    assert not CalendarSync.objects.filter(connection=connected).exclude(sync_token="").exists()
    settle()
    assert BusyBlock.objects.filter(connection=connected, start=berlin(monday, 9)).exists()


def test_an_event_moved_and_deleted_by_the_user_moves_and_frees_the_block(google, connected, monday):
    event = user_event(google, berlin(monday, 9), berlin(monday, 10))
    sync_now(connected)
    google.control.user_patches_event(
        MARIA,
        event["id"],
        {
            "start": {"dateTime": berlin(monday, 15).isoformat(), "timeZone": "Europe/Berlin"},
            "end": {"dateTime": berlin(monday, 16).isoformat(), "timeZone": "Europe/Berlin"},
        },
    )
    sync_now(connected)
    assert [b.start for b in BusyBlock.objects.filter(connection=connected)] == [berlin(monday, 15)]
    google.control.user_deletes_event(MARIA, event["id"])
    sync_now(connected)
    assert not BusyBlock.objects.filter(connection=connected).exists()


def test_a_revoked_grant_is_reported_as_needs_reconnect(google, connected, monday):
    google.control.revoke_grant(MARIA, "rendez-demo.apps.googleusercontent.com")
    # The stored access token still looks fresh to Rendez: Google's 401 makes it refresh, which is refused.
    sync_now(connected)
    connected.refresh_from_db()
    assert connected.status == CalendarConnection.Status.NEEDS_RECONNECT
    assert "invalid_grant" in connected.broken_reason
    refresh = google.control.requests("POST", "/oauth2/token")[-1]
    assert refresh["status"] == 400 and refresh["body"]["grant_type"] == "refresh_token"


def test_a_revoked_grant_tells_the_staff_member_and_the_admins_once(
    google, connected, alice_admin, mailoutbox, maria
):
    google.control.revoke_grant(MARIA, "rendez-demo.apps.googleusercontent.com")
    sync_now(connected)  # the sync finds the grant dead; the notice job runs in the same settle
    sync_now(connected)  # a second failing sync sends nothing more
    (email,) = mailoutbox
    assert sorted(email.to) == sorted([maria.email, "admin@alice.example"])
    assert email.subject == f"Google Calendar needs reconnecting for {maria.name}"
    connected.refresh_from_db()
    assert connected.broken_reason in email.body
    assert f"/panel/staff/{maria.pk}/" in email.body and "ya29" not in email.body


def test_a_sync_that_read_before_a_choice_changed_keeps_no_token(google, connected, monday):
    """A sync running while free events are switched on read them as free: it must not keep its sync token,
    or the sync the change asked for would read only what changed since and never count them."""
    user_event(google, berlin(monday, 9), berlin(monday, 10), "Lunch (free)", transparency="transparent")
    read_before = CalendarConnection.objects.get(pk=connected.pk)  # what the running sync holds
    choices.choose(connected, choices.Choices(transparent_events_block=True))

    sync.sync_connection(read_before)  # it finishes after the change was saved

    assert not BusyBlock.objects.filter(connection=connected).exists()  # read as free, as it was then
    assert list(CalendarSync.objects.filter(connection=connected).values_list("sync_token", flat=True)) == [
        ""
    ]
    settle()  # the sync the change asked for reads everything again
    assert BusyBlock.objects.filter(connection=connected, start=berlin(monday, 9)).exists()
