"""The history of a booking as people see it: one `BookingChange` per move, change of service, cancellation or
status change, with the reason given in the confirm step and who made it.

Only `services.py` calls the writers here, inside the change's own transaction, so a change and its history
row commit together. Summaries are written once, in the business's time zone, and never re-rendered: they
say what happened as it was said then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from rendez.scheduling.models import Appointment, Booking, BookingChange

# What the model allows (BookingChange.reason): a few paragraphs, never a document.
REASON_MAX = 1000
CUSTOMER = "the customer"
# No person and not the customer: a tenant's API key or a script.
API = "API"


@dataclass(frozen=True)
class Note:
    """Why a change was made and by whom, as the caller gave it."""

    reason: str = ""
    by: User | None = None
    by_customer: bool = False

    @property
    def who(self) -> str:
        """Who made the change, in a word or a name: messages to staff say it."""
        return who(self.by, self.by_customer)


def who(by: User | None, by_customer: bool) -> str:
    if by_customer:
        return CUSTOMER
    if by is not None:
        return by.get_full_name() or by.get_username()
    return API


def who_made(change: BookingChange) -> str:
    return who(change.by, change.by_customer)


@dataclass(frozen=True)
class Placement:
    """Where a booking is: when, with whom, what (names as they were then)."""

    start: datetime
    staff_id: int
    staff_name: str
    service_id: int
    service_name: str

    @classmethod
    def of(cls, appointment: Appointment) -> Placement:
        staff, service = appointment.staff, appointment.service
        return cls(appointment.start, staff.pk, staff.name, service.pk, service.name)


def record_moves(bookings: list[Booking], was: Placement, now: Placement, note: Note, zone: str) -> None:
    """One change per booking moved from `was` to `now` (an appointment moves all its bookings)."""
    if not bookings:
        return
    moved = was.start != now.start or was.staff_id != now.staff_id
    kind = BookingChange.Kind.RESCHEDULED if moved else BookingChange.Kind.SERVICE_CHANGED
    summary = move_summary(was, now, ZoneInfo(zone))
    BookingChange.objects.bulk_create(
        [_change(booking, kind, summary, note) for booking in bookings], batch_size=500
    )


def record_status(booking: Booking, status: str, note: Note) -> None:
    if status == Booking.Status.CANCELLED:
        kind, summary = BookingChange.Kind.CANCELLED, "Cancelled"
    else:
        kind, summary = BookingChange.Kind.STATUS_CHANGED, f"Status set to {Booking.Status(status).label}"
    _change(booking, kind, summary, note).save()


def move_summary(was: Placement, now: Placement, zone: ZoneInfo) -> str:
    """'Moved from Tue 8 Dec 10:00 to Wed 9 Dec 14:00 (Europe/Berlin)', with the staff member and the
    service when they changed too."""
    parts = []
    if was.start != now.start:
        parts.append(f"Moved from {_moment(was.start, zone)} to {_moment(now.start, zone)} ({zone.key})")
    if was.staff_id != now.staff_id:
        parts.append(f"now with {now.staff_name} (was {was.staff_name})")
    if was.service_id != now.service_id:
        parts.append(f"service changed from {was.service_name} to {now.service_name}")
    text = "; ".join(parts)
    return (text[:1].upper() + text[1:])[:500]


def _moment(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def _change(booking: Booking, kind: str, summary: str, note: Note) -> BookingChange:
    return BookingChange(
        tenant_id=booking.tenant_id,
        booking_id=booking.pk,
        kind=kind,
        summary=summary,
        reason=note.reason,
        by=note.by,
        by_customer=note.by_customer,
    )
