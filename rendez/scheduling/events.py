"""How the scheduling core announces changes: by enqueueing jobs in the writer's transaction.

The core knows nothing of meetings or messages. It asks for `conferencing.sync` of every appointment it
touched (a level-triggered job: pending requests for the same appointment coalesce) and for
`notifications.booking_event` of every booking whose customer may need to hear about it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from rendez import jobs
from rendez.scheduling.changes import Note
from rendez.scheduling.models import Appointment, Booking

BOOKING_CREATED = "booking_created"
BOOKING_CONFIRMED = "booking_confirmed"
BOOKING_RESCHEDULED = "booking_rescheduled"
BOOKING_CANCELLED = "booking_cancelled"
BOOKING_STATUS_CHANGED = "booking_status_changed"

SYNC_MEETING = "conferencing.sync"
BOOKING_EVENT = "notifications.booking_event"
# One per series action (book, cancel, move several occurrences at once): the one message per person.
SERIES_EVENT = "notifications.series_event"


def status_event(status: str) -> str:
    """The most specific event for a new status; workflows on `booking_status_changed` see all."""
    specific: dict[str, str] = {
        Booking.Status.CONFIRMED: BOOKING_CONFIRMED,
        Booking.Status.CANCELLED: BOOKING_CANCELLED,
    }
    return specific.get(status, BOOKING_STATUS_CHANGED)


def appointment_key(appointment_id: int) -> str:
    """The job key of everything about one appointment (its meeting syncs run in order under it)."""
    return f"appointment:{appointment_id}"


def appointment_changed(appointment: Appointment) -> None:
    jobs.enqueue_all([_sync_meeting(appointment)])


def upcoming_changed(appointments: QuerySet[Appointment]) -> int:
    """Ask for the meeting sync of each of `appointments` that has not ended and holds seats, in one insert:
    a setting that decides whether they get a meeting changed (a service's video, the integration turned
    on), and the meetings owed meanwhile are made now. Returns how many."""
    upcoming = appointments.filter(end__gt=timezone.now(), seats_taken__gt=0).only("pk", "tenant_id")
    syncs = [_sync_meeting(appointment) for appointment in upcoming]
    if syncs:
        jobs.enqueue_all(syncs)
    return len(syncs)


def booking_changed(
    booking: Booking, event: str, previous_status: str | None = None, note: Note | None = None
) -> None:
    """Announce one change of a booking, with its appointment's meeting sync, in one insert. The payload says
    what was true at this event (when, with whom, why and by whom it changed), so a message about it can show
    that even if the booking changes again before the message goes out."""
    appointment = booking.appointment
    said = {"reason": note.reason, "changed_by": note.who} if note is not None else {}
    message = jobs.NewJob(
        BOOKING_EVENT,
        {
            "booking_id": booking.pk,
            "event": event,
            "status": booking.status,
            "previous_status": previous_status,
            "start": appointment.start.isoformat(),
            "end": appointment.end.isoformat(),
            "appointment_id": appointment.pk,
            "staff_id": appointment.staff_id,
            **said,
        },
        key=f"booking:{booking.pk}",
        tenant_id=booking.tenant_id,
    )
    action = _series_action.get()
    if action is not None:
        message.payload["series"] = {"id": action.series_id, "action": action.key}
        action.events.append(message.payload)
    jobs.enqueue_all([_sync_meeting(appointment), message])


@dataclass
class _SeriesAction:
    series_id: int
    tenant_id: int
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    events: list[dict[str, Any]] = field(default_factory=list)


_series_action: ContextVar[_SeriesAction | None] = ContextVar("series_action", default=None)


@contextmanager
def series_action(series_id: int, tenant_id: int) -> Iterator[None]:
    """Group the booking events announced inside into one action on a series: each booking still has its own
    event (its meeting sync, its reminders, its record), and when the block ends without an error one
    `SERIES_EVENT` job lists them all, so each person gets one message about the whole change, not one per
    occurrence. Use it inside the writer's transaction."""
    action = _SeriesAction(series_id, tenant_id)
    token = _series_action.set(action)
    try:
        yield
    finally:
        _series_action.reset(token)
    if action.events:
        jobs.enqueue(
            SERIES_EVENT,
            {"series_id": series_id, "action": action.key, "events": action.events},
            key=f"series:{series_id}",
            tenant_id=tenant_id,
        )


def _sync_meeting(appointment: Appointment) -> jobs.NewJob:
    return jobs.NewJob(
        SYNC_MEETING,
        {"appointment_id": appointment.pk},
        key=appointment_key(appointment.pk),
        coalesce=True,
        tenant_id=appointment.tenant_id,
    )
