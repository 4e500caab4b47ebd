"""Appointments written to the staff member's Outlook calendar through Graph: one event with the Zoom link,
one PATCH on a move, one DELETE on cancel, no duplicate after a lost answer, people's changes noticed.
Zoom and Microsoft are both emulators over HTTP; the asserted calls are their request logs."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
from django.utils import timezone

from rendez.calendars.models import BusyBlock, CalendarEvent
from rendez.calendars.noticing import noticed_for_staff
from rendez.conferencing.models import Meeting
from rendez.integrations.microsoft.events import OWN_PROPERTY_ID
from rendez.integrations.zoom import tenant_settings
from rendez.jobs.models import Job
from rendez.scheduling import services
from rendez.scheduling.models import Appointment, Booking
from rendez.scheduling.tests.factories import customer, make_service
from rendez.tests.integrations.microsoft.world import berlin, settle, sync_now
from rendez.tests.integrations.zoom.fixtures import MARIA as MARIA_ZOOM
from rendez.tests.integrations.zoom.fixtures import connect_staff


@pytest.fixture
def video(alice, maria):
    tenant_settings.update(alice, {"enabled": True})
    return make_service(alice, maria, name="Video consultation", duration_minutes=30, zoom_enabled=True)


@pytest.fixture
def hosted(api, zoom, maria):
    return connect_staff(api, zoom, maria, MARIA_ZOOM)


def book(service, staff, start, who="Charlie") -> Booking:
    return services.book(service=service, staff=staff, start=start, customer=customer(who))


def writes(microsoft) -> list[tuple[str, str, Any]]:
    """(method, path, body) of every event write Graph received."""
    return [
        (entry["method"], entry["path"], entry["body"])
        for entry in microsoft.control.requests(path="/graph/v1.0/me/*")
        if entry["method"] in ("POST", "PATCH", "DELETE") and "/events" in entry["path"]
    ]


def our_events(microsoft, appointment: Appointment) -> list[dict[str, Any]]:
    return [
        event
        for event in microsoft.control.state()["events"]
        if str(event.get("transactionId") or "").startswith(f"rendez-{appointment.pk}-")
    ]


def settle_later() -> None:
    """Run the retried jobs now rather than after their backoff."""
    Job.objects.exclude(state__in=["succeeded", "dead"]).filter(kind="calendars.write_event").update(
        run_after=timezone.now() - timedelta(seconds=1)
    )
    settle()


def test_a_booking_makes_one_event_with_the_link_a_move_patches_it_a_cancel_deletes_it(
    microsoft, connected, zoom, hosted, video, maria, monday
):
    microsoft.control.clear_requests()
    booking = book(video, maria, berlin(monday, 10))
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.join_url and meeting.password
    [event] = our_events(microsoft, booking.appointment)
    assert event["location"]["displayName"] == meeting.join_url
    assert meeting.join_url in event["body"]["content"] and meeting.password in event["body"]["content"]
    assert event["start"]["dateTime"].startswith(
        berlin(monday, 10).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    )
    posts = [body for method, _, body in writes(microsoft) if method == "POST"]
    assert len(posts) == 1, writes(microsoft)
    assert posts[0]["singleValueExtendedProperties"] == [
        {"id": OWN_PROPERTY_ID, "value": str(booking.appointment_id)}
    ]
    assert posts[0]["start"] == {
        "dateTime": berlin(monday, 10).replace(tzinfo=None).isoformat(),
        "timeZone": "Europe/Berlin",
    }
    assert CalendarEvent.objects.get(appointment=booking.appointment).state == CalendarEvent.State.WRITTEN
    sync_now(connected)
    assert not BusyBlock.objects.filter(connection=connected).exists()  # our own event never blocks

    microsoft.control.clear_requests()
    services.reschedule_booking(booking, start=berlin(monday, 11))
    settle()
    assert [(method, body["start"]) for method, _, body in writes(microsoft)] == [
        (
            "PATCH",
            {"dateTime": berlin(monday, 11).replace(tzinfo=None).isoformat(), "timeZone": "Europe/Berlin"},
        )
    ]
    sync_now(connected)
    assert noticed_for_staff(maria.tenant_id, maria.pk) == []  # our own move is not someone's change

    microsoft.control.clear_requests()
    services.cancel_booking(booking)
    settle()
    assert [method for method, _, _ in writes(microsoft)] == ["DELETE"]
    assert our_events(microsoft, booking.appointment) == []
    assert CalendarEvent.objects.get(appointment=booking.appointment).state == CalendarEvent.State.DELETED


def test_a_create_whose_answer_was_lost_makes_no_duplicate(microsoft, connected, alice, maria, monday):
    haircut = make_service(alice, maria, name="Haircut", location_type="in_person")
    microsoft.control.set_faults(lose_response=1)
    booking = book(haircut, maria, berlin(monday, 14))
    settle()
    settle_later()

    assert len(our_events(microsoft, booking.appointment)) == 1
    assert [method for method, _, _ in writes(microsoft)].count("POST") == 1
    [lost] = [entry for entry in microsoft.control.requests(path="/graph/*") if entry["connection_dropped"]]
    assert lost["method"] == "POST"
    record = CalendarEvent.objects.get(appointment=booking.appointment)
    assert record.state == CalendarEvent.State.WRITTEN
    assert record.external_id == our_events(microsoft, booking.appointment)[0]["id"]
    lookups = [entry for entry in microsoft.control.requests("GET") if "$filter" in entry["query"]]
    assert len(lookups) == 2 and f"ep/value eq '{booking.appointment_id}'" in str(lookups[-1]["query"])


def test_an_event_deleted_or_moved_in_outlook_is_noticed_not_obeyed(
    microsoft, connected, alice, maria, monday
):
    haircut = make_service(alice, maria, name="Haircut", location_type="in_person")
    moved = book(haircut, maria, berlin(monday, 9), "Moved")
    deleted = book(haircut, maria, berlin(monday, 13), "Deleted")
    settle()
    moved_id = CalendarEvent.objects.get(appointment=moved.appointment).external_id
    deleted_id = CalendarEvent.objects.get(appointment=deleted.appointment).external_id

    microsoft.control.outlook_update(
        moved_id,
        {
            "start": {
                "dateTime": berlin(monday, 16).replace(tzinfo=None).isoformat(),
                "timeZone": "Europe/Berlin",
            },
            "end": {
                "dateTime": berlin(monday, 17).replace(tzinfo=None).isoformat(),
                "timeZone": "Europe/Berlin",
            },
        },
    )
    microsoft.control.outlook_delete(deleted_id)
    sync_now(connected)

    noticed = {record.appointment_id: record for record in noticed_for_staff(alice.pk, maria.pk)}
    assert set(noticed) == {moved.appointment_id, deleted.appointment_id}
    assert "moved in the calendar" in noticed[moved.appointment_id].noticed_change
    assert noticed[deleted.appointment_id].state == CalendarEvent.State.GONE
    assert Appointment.objects.get(pk=moved.appointment_id).start == berlin(monday, 9)
    assert not BusyBlock.objects.filter(connection=connected).exists()
