"""Appointments written to the staff member's Google Calendar: one event with the Zoom link, patched on a
move, deleted on cancel, never duplicated by a lost answer, and people's changes there noticed, not obeyed.
Zoom and Google are both emulators over HTTP; the asserted calls are their request logs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rendez.calendars.models import CalendarEvent
from rendez.calendars.noticing import noticed_for_staff
from rendez.calendars.writing import WRITE_EVENT
from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.jobs.models import Job
from rendez.scheduling import services
from rendez.scheduling.models import Appointment, Booking
from rendez.scheduling.tests.factories import customer, make_service
from rendez.tests.integrations.google.world import MARIA, berlin, settle, sync_now
from rendez.tests.integrations.zoom.fixtures import MARIA as MARIA_ZOOM
from rendez.tests.integrations.zoom.fixtures import connect_staff

EVENTS_PATH = f"/calendar/v3/calendars/{MARIA}/events"


@pytest.fixture
def video(alice, maria):
    tenant_settings.update(alice, {"enabled": True})
    return make_service(alice, maria, name="Video consultation", duration_minutes=30, zoom_enabled=True)


@pytest.fixture
def hosted(api, zoom, maria):
    return connect_staff(api, zoom, maria, MARIA_ZOOM)


def book(service, staff, start, who="Charlie") -> Booking:
    return services.book(service=service, staff=staff, start=start, customer=customer(who))


def writes(google) -> list[tuple[str, str, Any]]:
    """(method, path, body) of every event write Google received (reads and channels left out)."""
    return [
        (entry["method"], entry["path"], entry["body"])
        for entry in google.control.requests(path=f"{EVENTS_PATH}*")
        if entry["method"] in ("POST", "PATCH", "DELETE") and not entry["path"].endswith("/watch")
    ]


def our_events(google, appointment: Appointment) -> list[dict[str, Any]]:
    return [
        event
        for event in google.control.state()["events"]
        if event.get("status") != "cancelled"
        and (event.get("extendedProperties") or {}).get("private", {}).get("rendezAppointment")
        == str(appointment.pk)
    ]


def test_a_booking_makes_one_event_with_the_link_a_move_patches_it_a_cancel_deletes_it(
    google, connected, zoom, hosted, video, maria, monday
):
    google.control.clear_requests()
    booking = book(video, maria, berlin(monday, 10))
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.join_url and meeting.password
    [event] = our_events(google, booking.appointment)
    assert event["location"] == meeting.join_url
    assert meeting.join_url in event["description"] and meeting.password in event["description"]
    assert event["start"]["dateTime"] == berlin(monday, 10).isoformat()
    methods = [method for method, _, _ in writes(google)]
    assert methods.count("POST") == 1, writes(google)  # one insert; the link came by a patch or with it
    assert CalendarEvent.objects.get(appointment=booking.appointment).state == CalendarEvent.State.WRITTEN

    google.control.clear_requests()
    services.reschedule_booking(booking, start=berlin(monday, 11))
    settle()
    assert [(method, body["start"]) for method, _, body in writes(google)] == [
        ("PATCH", {"dateTime": berlin(monday, 11).isoformat(), "timeZone": "Europe/Berlin"})
    ]
    [event] = our_events(google, booking.appointment)
    assert event["start"]["dateTime"] == berlin(monday, 11).isoformat()

    google.control.clear_requests()
    services.cancel_booking(booking)
    settle()
    assert [method for method, _, _ in writes(google)] == ["DELETE"]
    assert our_events(google, booking.appointment) == []
    assert CalendarEvent.objects.get(appointment=booking.appointment).state == CalendarEvent.State.DELETED


def test_an_insert_whose_answer_was_lost_makes_no_duplicate(google, connected, alice, maria, monday):
    haircut = make_service(alice, maria, name="Haircut", location_type="in_person")
    # Google applies the insert, then the connection drops before the answer: as a crash before our commit.
    google.control.set_faults(lose_responses=1, paths=[EVENTS_PATH])
    booking = book(haircut, maria, berlin(monday, 14))
    settle()
    settle_later()

    assert len(our_events(google, booking.appointment)) == 1
    assert [method for method, _, _ in writes(google)].count("POST") == 1
    [lost] = [
        entry for entry in google.control.requests(path=f"{EVENTS_PATH}*") if entry["connection_dropped"]
    ]
    assert lost["method"] == "POST"  # the insert was applied and its answer lost; the retry found the event
    record = CalendarEvent.objects.get(appointment=booking.appointment)
    assert record.state == CalendarEvent.State.WRITTEN
    assert record.external_id == our_events(google, booking.appointment)[0]["id"]
    lookups = [
        entry
        for entry in google.control.requests("GET", EVENTS_PATH)
        if "privateExtendedProperty" in entry["query"]
    ]
    assert lookups and lookups[-1]["query"]["privateExtendedProperty"] == [
        f"rendezAppointment={booking.appointment.pk}"
    ]


def settle_later() -> None:
    """Run the retried jobs now rather than after their backoff."""
    from django.utils import timezone

    from rendez.jobs.models import Job

    Job.objects.exclude(state__in=["succeeded", "dead"]).filter(kind="calendars.write_event").update(
        run_after=timezone.now() - timedelta(seconds=1)
    )
    settle()


def test_an_event_deleted_or_moved_in_google_is_noticed_not_obeyed(
    google, connected, api, alice, maria, monday
):
    haircut = make_service(alice, maria, name="Haircut", location_type="in_person")
    moved = book(haircut, maria, berlin(monday, 9), "Moved")
    deleted = book(haircut, maria, berlin(monday, 13), "Deleted")
    settle()
    moved_id = CalendarEvent.objects.get(appointment=moved.appointment).external_id
    deleted_id = CalendarEvent.objects.get(appointment=deleted.appointment).external_id

    google.control.user_patches_event(
        MARIA,
        moved_id,
        {
            "start": {"dateTime": berlin(monday, 16).isoformat(), "timeZone": "Europe/Berlin"},
            "end": {"dateTime": berlin(monday, 16, 30).isoformat(), "timeZone": "Europe/Berlin"},
        },
    )
    google.control.user_deletes_event(MARIA, deleted_id)
    sync_now(connected)

    noticed = {record.appointment_id: record for record in noticed_for_staff(alice.pk, maria.pk)}
    assert set(noticed) == {moved.appointment_id, deleted.appointment_id}
    assert "moved in the calendar" in noticed[moved.appointment_id].noticed_change
    assert noticed[deleted.appointment_id].state == CalendarEvent.State.GONE
    for booking in (moved, deleted):
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED
    assert Appointment.objects.get(pk=moved.appointment_id).start == berlin(monday, 9)
    shown = api.get(f"/staff/{maria.pk}/calendar-changes").json()
    assert {item["appointment_id"]: item["state"] for item in shown} == {
        moved.appointment_id: "written",
        deleted.appointment_id: "gone",
    }


def test_an_outage_while_writing_waits_without_spending_attempts_and_the_event_comes(
    google, connected, video, maria, monday
):
    google.control.set_faults(fail_next=50, fail_with="503", retry_after=5)
    booking = book(video, maria, berlin(monday, 10))
    for _ in range(12):  # more than the job's 10 attempts, each a 503
        settle()
        Job.objects.filter(kind=WRITE_EVENT, state=Job.State.PENDING).update(run_after=timezone.now())
    job = Job.objects.get(kind=WRITE_EVENT)
    assert (job.state, job.attempts) == (Job.State.PENDING, 0), job.last_error
    assert our_events(google, booking.appointment) == []

    google.control.clear_faults()
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    settle()

    assert len(our_events(google, booking.appointment)) == 1
    assert CalendarEvent.objects.get(appointment=booking.appointment).state == CalendarEvent.State.WRITTEN
