"""Where an appointment's event lives when its owner changes: a reconnect writes what was missed while the
grant was dead, and an appointment moved to another staff member leaves one calendar for the other."""

from __future__ import annotations

from typing import Any

from rendez.calendars.models import CalendarConnection, CalendarEvent
from rendez.integrations.google import connections
from rendez.scheduling import services
from rendez.scheduling.tests.factories import customer, make_service
from rendez.tests.integrations.google.world import CLIENT_ID, MARIA, berlin, grant_from_consent, settle
from rendez.tests.integrations.zoom.fixtures import JONAS_EMAIL


def events_of(google, calendar_id: str) -> list[dict[str, Any]]:
    return [
        event
        for event in google.control.state()["events"]
        if event["calendarId"] == calendar_id and event.get("status") != "cancelled"
    ]


def test_a_reconnect_writes_the_events_missed_while_the_grant_was_dead(
    google, connected, alice, maria, monday
):
    haircut = make_service(alice, maria, name="Haircut", location_type="in_person")
    google.control.revoke_grant(MARIA, CLIENT_ID)
    booking = services.book(service=haircut, staff=maria, start=berlin(monday, 10), customer=customer())
    settle()
    connected.refresh_from_db()
    assert connected.status == CalendarConnection.Status.NEEDS_RECONNECT
    assert events_of(google, MARIA) == []

    connections.connect_with_grant(maria, grant_from_consent(google))
    settle()
    [event] = events_of(google, MARIA)
    assert event["extendedProperties"]["private"]["rendezAppointment"] == str(booking.appointment_id)


def test_an_appointment_given_to_another_staff_member_moves_calendars(
    google,
    connected,
    alice,
    maria,
    jonas,  # noqa: F811 - the fixture, imported above
    monday,
):
    haircut = make_service(alice, maria, jonas, name="Haircut", location_type="in_person")
    connections.connect_with_grant(jonas, grant_from_consent(google, JONAS_EMAIL))
    booking = services.book(service=haircut, staff=maria, start=berlin(monday, 10), customer=customer())
    settle()
    assert len(events_of(google, MARIA)) == 1

    services.reschedule_booking(booking, start=berlin(monday, 11), staff=jonas)
    settle()
    assert events_of(google, MARIA) == []
    [event] = events_of(google, JONAS_EMAIL)
    assert event["start"]["dateTime"] == berlin(monday, 11).isoformat()
    record = CalendarEvent.objects.get(appointment_id=booking.appointment_id)
    assert record.calendar_id == JONAS_EMAIL and record.state == CalendarEvent.State.WRITTEN
