"""Appointments as Google Calendar events: inserted once, patched on change, deleted on cancel.

Idempotent across crashes: the event carries `rendezAppointment=<id>` as a private extended property, and a
record not known to be written is looked up by it before inserting (as Zoom meetings are adopted), so an
insert whose answer was lost, or a crash between insert and commit, makes no second event. The event carries
the meeting's join link and passcode once the meeting is ready (this job follows the meeting too).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from typing import Any

from django.db import transaction

from rendez.calendars import noticing
from rendez.calendars.models import CalendarConnection, CalendarEvent
from rendez.conferencing.queries import meeting_view
from rendez.integrations.google import tokens
from rendez.integrations.google.client import (
    CalendarClient,
    CalendarUnavailable,
    Deleted,
    NotFound,
    rfc3339,
)
from rendez.integrations.google.events import OWN_PROPERTY, parse_instant
from rendez.scheduling.models import Appointment, Booking


class GoogleWriter:
    outages: tuple[type[BaseException], ...] = (CalendarUnavailable, tokens.GoogleUnavailable)
    unusable: type[BaseException] = tokens.ConnectionUnusable

    def put(self, appointment: Appointment, connection: CalendarConnection, record: CalendarEvent) -> None:
        _put(appointment, connection, record)

    def remove(self, record: CalendarEvent) -> None:
        _remove(record)

    def disconnect(self, connection: CalendarConnection) -> None:
        from rendez.integrations.google.connections import disconnect

        disconnect(connection)


def event_body(appointment: Appointment) -> dict[str, Any]:
    zone = appointment.staff.zone
    customers = [
        booking.customer.name
        for booking in Booking.objects.filter(
            tenant_id=appointment.tenant_id, appointment=appointment, status=Booking.Status.CONFIRMED
        ).select_related("customer")
    ]
    lines = [f"{appointment.service.name} booked with Rendez.", f"With: {', '.join(customers)}"]
    view = meeting_view(appointment)
    location = ""
    if view is not None and view.ready and view.join_url:
        location = view.join_url
        lines.append(f"Join the video meeting: {view.join_url}")
        if view.password:
            lines.append(f"Passcode: {view.password}")
    return {
        "summary": f"{appointment.service.name}: {', '.join(customers)}",
        "start": {"dateTime": rfc3339(appointment.start.astimezone(zone)), "timeZone": str(zone)},
        "end": {"dateTime": rfc3339(appointment.end.astimezone(zone)), "timeZone": str(zone)},
        "location": location,
        "description": "\n".join(lines),
        "transparency": "opaque",
        "extendedProperties": {"private": {OWN_PROPERTY: str(appointment.pk)}},
    }


def _put(appointment: Appointment, connection: CalendarConnection, record: CalendarEvent) -> None:
    same_place = record.connection_id == connection.pk and record.calendar_id == connection.write_calendar_id
    if record.state == CalendarEvent.State.GONE and same_place:
        return  # deleted in the calendar by a person: noticed and shown, not put back against their will
    body = event_body(appointment)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    client = CalendarClient(connection)
    calendar_id = connection.write_calendar_id
    known = record.state == CalendarEvent.State.WRITTEN and same_place and record.external_id
    if known and record.written_digest == digest:
        return
    if known:
        try:
            event = client.patch_event(calendar_id, record.external_id, body)
        except (NotFound, Deleted):
            noticing.mark_gone(record)
            return
    else:
        found = _find(client, calendar_id, appointment.pk)
        if found is not None:
            event = client.patch_event(calendar_id, found["id"], body)
        else:
            event = client.insert_event(calendar_id, body)
    _record_written(record, connection, calendar_id, event, digest)


def _remove(record: CalendarEvent) -> None:
    connection = record.connection
    assert connection is not None
    client = CalendarClient(connection)
    event_id = record.external_id
    if not event_id or record.state == CalendarEvent.State.PENDING:
        found = _find(client, record.calendar_id, record.appointment_id)
        event_id = found["id"] if found else event_id
    if event_id:
        with contextlib.suppress(NotFound, Deleted):  # deleted already: done
            client.delete_event(record.calendar_id, event_id)
    record.state = CalendarEvent.State.DELETED
    record.save(update_fields=["state", "updated_at"])


def _find(client: CalendarClient, calendar_id: str, appointment_id: int) -> dict[str, Any] | None:
    """Our event of this appointment if the calendar has it (an insert whose answer or commit was lost)."""
    page = client.list_events(calendar_id, private_property=f"{OWN_PROPERTY}={appointment_id}")
    live = [item for item in page.items if item.get("status") != "cancelled"]
    return live[0] if live else None


def _record_written(
    record: CalendarEvent,
    connection: CalendarConnection,
    calendar_id: str,
    event: dict[str, Any],
    digest: str,
) -> None:
    with transaction.atomic():
        record.connection, record.calendar_id = connection, calendar_id
        record.external_id = str(event.get("id", ""))
        record.etag = str(event.get("etag", ""))[:200]
        record.provider_updated = str(event.get("updated", ""))[:40]
        record.written_start = parse_instant(event["start"]["dateTime"])
        record.written_end = parse_instant(event["end"]["dateTime"])
        record.written_digest = digest
        record.state = CalendarEvent.State.WRITTEN
        record.save()
