"""Status changes (`services.set_status`, `services.cancel_booking`) along the allowed transitions."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from rendez.scheduling import changes, events
from rendez.scheduling._booking_checks import change_note
from rendez.scheduling._booking_errors import BookingError
from rendez.scheduling._booking_locks import lock_booking
from rendez.scheduling._booking_seats import release_seats
from rendez.scheduling.models import Booking

Status = Booking.Status


# Which status may follow which. Cancelled and rejected are final: a new booking is the way back.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset({Status.CONFIRMED, Status.REJECTED, Status.CANCELLED}),
    Status.CONFIRMED: frozenset({Status.CANCELLED, Status.COMPLETED, Status.NO_SHOW}),
    Status.COMPLETED: frozenset({Status.NO_SHOW}),
    Status.NO_SHOW: frozenset({Status.COMPLETED}),
    Status.CANCELLED: frozenset(),
    Status.REJECTED: frozenset(),
}
# Attendance can only be recorded once the appointment has begun.
AFTER_START_ONLY = frozenset({Status.COMPLETED, Status.NO_SHOW})


def cancel_booking(
    booking: Booking,
    *,
    now: datetime | None = None,
    reason: str = "",
    by: User | None = None,
    by_customer: bool = False,
) -> Booking:
    return set_status(booking, Status.CANCELLED, now=now, reason=reason, by=by, by_customer=by_customer)


def set_status(
    booking: Booking,
    status: str,
    *,
    now: datetime | None = None,
    reason: str = "",
    by: User | None = None,
    by_customer: bool = False,
) -> Booking:
    """Change a booking's status along the allowed transitions, giving back or keeping its seats; the
    booking's history records it with `reason` and who made it (`by`, or the customer)."""
    note = change_note(reason, by, by_customer)
    now = now or timezone.now()
    if status not in Status.values:
        raise BookingError("unknown_status", f"{status!r} is not a booking status.", field="status")
    with transaction.atomic():
        booking = lock_booking(booking)
        old_status = booking.status
        if status == old_status:
            return booking
        if status not in TRANSITIONS[old_status]:
            raise BookingError(
                "invalid_transition", f"A {old_status} booking cannot become {status}.", field="status"
            )
        if status in AFTER_START_ONLY and booking.appointment.start > now:
            raise BookingError(
                "not_started",
                f"A booking can be marked {status} only once its appointment has begun.",
                field="status",
            )
        booking.status = status
        booking.save(update_fields=["status", "updated_at"])
        if old_status in Booking.SEAT_HOLDING and status not in Booking.SEAT_HOLDING:
            release_seats(booking.appointment, booking.party_size)
        changes.record_status(booking, status, note)
        events.booking_changed(booking, events.status_event(status), previous_status=old_status, note=note)
    return booking
