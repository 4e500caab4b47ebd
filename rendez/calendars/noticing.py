"""Changes people make in their calendar to the events Rendez wrote: noticed and shown, never acted on.

Moving or deleting the event in Google Calendar does not move or cancel the appointment (the customer was not
asked); staff see "moved in the calendar to …" or "deleted in the calendar" on the appointment and decide.
Our own writes come back through the same sync: they match what we wrote and are not noticed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from rendez.calendars.models import CalendarConnection, CalendarEvent


@dataclass(frozen=True)
class SeenEvent:
    """An event of ours as the calendar has it now; `start` None when it was deleted there."""

    event_id: str
    start: datetime | None
    end: datetime | None


def notice_changes(connection: CalendarConnection, calendar_id: str, seen: Iterable[SeenEvent]) -> int:
    """Record on our events what people changed; returns how many were newly noticed."""
    by_id = {item.event_id: item for item in seen}
    if not by_id:
        return 0
    records = CalendarEvent.objects.filter(
        tenant_id=connection.tenant_id,
        connection=connection,
        calendar_id=calendar_id,
        external_id__in=list(by_id),
        state=CalendarEvent.State.WRITTEN,
    )
    noticed = 0
    for record in records:
        change = _change(record, by_id[record.external_id])
        if change and change != record.noticed_change:
            record.noticed_change, record.noticed_at = change, timezone.now()
            if by_id[record.external_id].start is None:
                record.state = CalendarEvent.State.GONE
            record.save(update_fields=["noticed_change", "noticed_at", "state", "updated_at"])
            noticed += 1
    return noticed


def noticed_for_staff(tenant_id: int, staff_id: int) -> list[CalendarEvent]:
    """The staff member's appointments whose calendar event someone moved or deleted, latest first."""
    return list(
        CalendarEvent.objects.filter(tenant_id=tenant_id, appointment__staff_id=staff_id)
        .exclude(noticed_change="")
        .select_related("appointment")
        .order_by("-noticed_at")
    )


def _change(record: CalendarEvent, seen: SeenEvent) -> str:
    if seen.start is None:
        return "The event was deleted in the calendar; the appointment still stands."
    if seen.start != record.written_start or seen.end != record.written_end:
        return (
            f"The event was moved in the calendar to {seen.start.isoformat()}; the appointment did not move."
        )
    return ""


DELETED_THERE = "The event was deleted in the calendar; the appointment still stands."


def mark_gone(record: CalendarEvent) -> None:
    """Our event was deleted in the staff member's calendar: recorded and shown, never recreated."""
    record.state = CalendarEvent.State.GONE
    record.noticed_change, record.noticed_at = DELETED_THERE, timezone.now()
    record.save(update_fields=["state", "noticed_change", "noticed_at", "updated_at"])
