"""Appointments as Outlook events through Graph: created once, PATCHed on change, DELETEd on cancel.

Idempotent across lost answers and crashes: the event carries the String single-value extended property
`rendezId` = the appointment id, and a record not known to be written is looked up by it (Graph's documented
`$filter=singleValueExtendedProperties/Any(...)`) before creating, so an insert whose answer was lost makes no
second event. The event carries the meeting's join link and passcode once the meeting is ready.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from rendez.calendars import noticing
from rendez.calendars.models import CalendarConnection, CalendarEvent
from rendez.conferencing.queries import meeting_view
from rendez.integrations.microsoft import tokens
from rendez.integrations.microsoft.client import GraphClient, GraphUnavailable, NotFound
from rendez.integrations.microsoft.events import OWN_PROPERTY_ID, TRANSACTION_PREFIX, parse_date_time
from rendez.integrations.microsoft.sync import client_for
from rendez.scheduling.models import Appointment, Booking


class MicrosoftWriter:
    outages: tuple[type[BaseException], ...] = (GraphUnavailable, *tokens.Unavailable)
    unusable: type[BaseException] = tokens.ConnectionUnusable

    def put(self, appointment: Appointment, connection: CalendarConnection, record: CalendarEvent) -> None:
        _put(appointment, connection, record)

    def remove(self, record: CalendarEvent) -> None:
        _remove(record)

    def disconnect(self, connection: CalendarConnection) -> None:
        from rendez.integrations.microsoft.connections import disconnect

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
        "subject": f"{appointment.service.name}: {', '.join(customers)}",
        "start": _wall(appointment.start, zone),
        "end": _wall(appointment.end, zone),
        "location": {"displayName": location},
        "body": {"contentType": "text", "content": "\n".join(lines)},
        "showAs": "busy",
        "singleValueExtendedProperties": [{"id": OWN_PROPERTY_ID, "value": str(appointment.pk)}],
    }


def _wall(moment: Any, zone: ZoneInfo) -> dict[str, str]:
    """Graph's dateTimeTimeZone: the wall time without offset, and the IANA zone it is in."""
    return {"dateTime": moment.astimezone(zone).replace(tzinfo=None).isoformat(), "timeZone": str(zone)}


def _put(appointment: Appointment, connection: CalendarConnection, record: CalendarEvent) -> None:
    same_place = record.connection_id == connection.pk and record.calendar_id == connection.write_calendar_id
    if record.state == CalendarEvent.State.GONE and same_place:
        return  # deleted in the calendar by a person: noticed and shown, not put back against their will
    body = event_body(appointment)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    client = client_for(connection)
    calendar_id = connection.write_calendar_id
    known = record.state == CalendarEvent.State.WRITTEN and same_place and record.external_id
    if known and record.written_digest == digest:
        return
    if known:
        try:
            event = client.update_event(record.external_id, body)
        except NotFound:
            noticing.mark_gone(record)
            return
    else:
        found = _find(client, calendar_id, appointment.pk)
        if found is not None:
            event = client.update_event(str(found["id"]), body)
        else:
            # transactionId marks the event as ours in delta answers (which carry no extended properties).
            creating = {
                **body,
                "transactionId": f"{TRANSACTION_PREFIX}{appointment.pk}-{secrets.token_hex(8)}",
            }
            event = client.create_event(calendar_id, creating)
    _record_written(record, connection, calendar_id, event, digest, ZoneInfo(client.zone))


def _remove(record: CalendarEvent) -> None:
    connection = record.connection
    assert connection is not None
    client = client_for(connection)
    event_id = record.external_id
    if not event_id or record.state == CalendarEvent.State.PENDING:
        found = _find(client, record.calendar_id, record.appointment_id)
        event_id = str(found["id"]) if found else event_id
    if event_id:
        with contextlib.suppress(NotFound):  # deleted already: done
            client.delete_event(event_id)
    record.state = CalendarEvent.State.DELETED
    record.save(update_fields=["state", "updated_at"])


def _find(client: GraphClient, calendar_id: str, appointment_id: int) -> dict[str, Any] | None:
    """Our event of this appointment if the calendar has it (a create whose answer or commit was lost)."""
    items = client.find_by_property(calendar_id, OWN_PROPERTY_ID, str(appointment_id))
    live = [item for item in items if not item.get("isCancelled")]
    return live[0] if live else None


def _record_written(
    record: CalendarEvent,
    connection: CalendarConnection,
    calendar_id: str,
    event: dict[str, Any],
    digest: str,
    zone: ZoneInfo,
) -> None:
    with transaction.atomic():
        record.connection, record.calendar_id = connection, calendar_id
        record.external_id = str(event.get("id", ""))
        record.etag = str(event.get("@odata.etag", ""))[:200]
        record.provider_updated = str(event.get("lastModifiedDateTime", ""))[:40]
        record.written_start = parse_date_time(event["start"], zone)
        record.written_end = parse_date_time(event["end"], zone)
        record.written_digest = digest
        record.state = CalendarEvent.State.WRITTEN
        record.save()
