"""How the scheduling core announces changes: typed events handed to subscribers in the writer's transaction.

The core knows nothing of meetings or messages. It announces what changed (`AppointmentChanged`,
`BookingChanged`, `SeriesChanged`) with `jobs.announce`; the packages that care subscribe in their
`AppConfig.ready()` (conferencing: the meeting sync; notifications: messages and reminders) and turn each
event into their own jobs, which `announce` inserts in ONE statement per announcement (docs/jobs.md,
"Subscriptions").
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

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

# The kinds of the jobs the subscribers make, named here for code that looks those jobs up (tests, benches,
# the panel) without importing the consumers; scheduling enqueues none of them. The consumers own them
# (conferencing.payloads, notifications.payloads), and a test keeps the names equal.
SYNC_MEETING = "conferencing.sync"
BOOKING_EVENT = "notifications.booking_event"
SERIES_EVENT = "notifications.series_event"


@dataclass(frozen=True, slots=True)
class AppointmentChanged:
    """An appointment changed (time, staff, service, seats), or a setting deciding if it gets a meeting.

    `has_calendars`: the tenant's `Tenant.has_calendars` where the announcer read its row (the booking writers
    do, under the staff lock); None where it did not, which subscribers take as "may have" (calendars: its
    writes follow appointments only in tenants that may have a calendar connected)."""

    appointment_id: int
    tenant_id: int
    has_calendars: bool | None = None


@dataclass(frozen=True, slots=True)
class SeriesRef:
    """The series action a booking change belongs to (`series_action`)."""

    id: int
    action: str


@dataclass(frozen=True, slots=True)
class BookingChanged:
    """One change of a booking, as true at this event (when, with whom, why and by whom), so whatever is made
    of it later can show that even if the booking changes again before."""

    booking_id: int
    tenant_id: int
    event: str
    status: str
    previous_status: str | None
    appointment_id: int
    staff_id: int
    start: datetime
    end: datetime
    # None when the writer gave no note (not the same as a note without a reason).
    reason: str | None = None
    changed_by: str | None = None
    series: SeriesRef | None = None


@dataclass(frozen=True, slots=True)
class SeriesChanged:
    """One action on a series (book, cancel, move several occurrences at once): the booking changes it made,
    each also announced on its own, so each person can get one message about the whole action."""

    series_id: int
    tenant_id: int
    action: str
    changes: tuple[BookingChanged, ...]


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
    jobs.announce(_changed(appointment))


def appointments_changed(appointments: Iterable[Appointment]) -> int:
    """Announce a change of each of `appointments` (their pk and tenant_id are read), in one insert.
    Returns how many."""
    changed = [_changed(appointment) for appointment in appointments]
    if changed:
        jobs.announce(*changed)
    return len(changed)


def upcoming_changed(appointments: QuerySet[Appointment]) -> int:
    """Announce each of `appointments` that has not ended and holds seats, in one insert: a setting that
    decides whether they get a meeting changed (a service's video, the integration turned on), and the
    meetings owed meanwhile are made now. Returns how many."""
    return appointments_changed(
        appointments.filter(end__gt=timezone.now(), seats_taken__gt=0).only("pk", "tenant_id")
    )


def booking_changed(
    booking: Booking,
    event: str,
    previous_status: str | None = None,
    note: Note | None = None,
    has_calendars: bool | None = None,
) -> None:
    """Announce one change of a booking, with the change of its appointment, in one insert
    (`has_calendars` as `AppointmentChanged` carries it, where the writer read it)."""
    appointment = booking.appointment
    action = _series_action.get()
    change = BookingChanged(
        booking_id=booking.pk,
        tenant_id=booking.tenant_id,
        event=event,
        status=booking.status,
        previous_status=previous_status,
        appointment_id=appointment.pk,
        staff_id=appointment.staff_id,
        start=appointment.start,
        end=appointment.end,
        reason=note.reason if note is not None else None,
        changed_by=note.who if note is not None else None,
        series=SeriesRef(action.series_id, action.key) if action is not None else None,
    )
    if action is not None:
        action.changes.append(change)
    jobs.announce(_changed(appointment, has_calendars), change)


@dataclass
class _SeriesAction:
    series_id: int
    tenant_id: int
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    changes: list[BookingChanged] = field(default_factory=list)


_series_action: ContextVar[_SeriesAction | None] = ContextVar("series_action", default=None)


@contextmanager
def series_action(series_id: int, tenant_id: int) -> Iterator[None]:
    """Group the booking changes announced inside into one action on a series: each is still announced on its
    own (its meeting sync, its reminders, its record), and when the block ends without an error one
    `SeriesChanged` lists them all. Use it inside the writer's transaction."""
    action = _SeriesAction(series_id, tenant_id)
    token = _series_action.set(action)
    try:
        yield
    finally:
        _series_action.reset(token)
    if action.changes:
        jobs.announce(SeriesChanged(series_id, tenant_id, action.key, tuple(action.changes)))


def _changed(appointment: Appointment, has_calendars: bool | None = None) -> AppointmentChanged:
    if has_calendars is None and Appointment.tenant.is_cached(appointment):
        # The writer read the tenant's row with the appointment (the booking locks do): no query here.
        has_calendars = appointment.tenant.has_calendars
    return AppointmentChanged(appointment.pk, appointment.tenant_id, has_calendars)
