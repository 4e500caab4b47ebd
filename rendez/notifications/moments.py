"""What a message shows: the booking as of its event, or as it is now.

A booking can change several times before its first message goes out (booked, moved, moved again, cancelled
within a minute). Each `notifications.booking_event` carries what was true at that event (scheduling puts
start, end, appointment and staff in the payload, in the writer's transaction), and `record_event` keeps it as
an `EventSnapshot` the event's deliveries point to. Rendering reads a `Moment`: built from the snapshot for
event messages, from the booking as it is for reminders and link follow-ups (which are about now).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F

from rendez.notifications.models import EventSnapshot, Invitation
from rendez.notifications.payloads import BookingEvent
from rendez.scheduling.models import Appointment, Booking, Staff

# Events after which a calendar must see the invitation as newer.
CANCELLED_STATUSES = frozenset({Booking.Status.CANCELLED, Booking.Status.REJECTED})


@dataclass(frozen=True)
class Moment:
    """The booking as one message shows it."""

    status: str
    start: datetime
    end: datetime
    staff_id: int | None
    staff_name: str
    # Whose meeting the message shows: the appointment the booking was in at that moment.
    appointment: Appointment
    sequence: int
    # The change this message is about (event messages only; reminders and follow-ups are about now).
    change_reason: str = ""
    changed_by: str = ""

    @property
    def status_label(self) -> str:
        return str(Booking.Status(self.status).label)

    @property
    def holds_seats(self) -> bool:
        return self.status in Booking.SEAT_HOLDING

    @property
    def cancelled(self) -> bool:
        return self.status in CANCELLED_STATUSES


def moment_now(booking: Booking) -> Moment:
    appointment = booking.appointment
    return Moment(
        status=booking.status,
        start=appointment.start,
        end=appointment.end,
        staff_id=appointment.staff_id,
        staff_name=appointment.staff.name,
        appointment=appointment,
        sequence=current_sequence(booking),
    )


def moment_of(snapshot: EventSnapshot, booking: Booking) -> Moment:
    appointment = booking.appointment
    if appointment.pk != snapshot.appointment_id:
        # The booking left that appointment (a group session) since: its meeting is that slot's.
        appointment = (
            Appointment.objects.select_related("service", "staff", "meeting")
            .filter(pk=snapshot.appointment_id)
            .first()
        ) or appointment
    return Moment(
        status=snapshot.status,
        start=snapshot.start,
        end=snapshot.end,
        staff_id=snapshot.staff_id,
        staff_name=snapshot.staff_name,
        appointment=appointment,
        sequence=snapshot.sequence,
        change_reason=snapshot.change_reason,
        changed_by=snapshot.changed_by,
    )


def current_sequence(booking: Booking) -> int:
    invitation = Invitation.objects.filter(booking=booking).first()
    return invitation.sequence if invitation else 0


def bump_sequence(booking: Booking) -> int:
    """Record a change calendars must see as newer (reschedule, cancellation); returns the new SEQUENCE."""
    Invitation.objects.get_or_create(booking=booking)
    Invitation.objects.filter(booking=booking).update(sequence=F("sequence") + 1)
    return current_sequence(booking)


def changes_invitation(payload: BookingEvent) -> bool:
    if payload.event == "booking_rescheduled":
        return True
    return bool(payload.previous_status) and payload.status in CANCELLED_STATUSES


def record_event(booking: Booking, payload: BookingEvent, source: str) -> EventSnapshot:
    """The snapshot of the event `source` (an event job), made once: a rerun of the job finds it (and bumps
    no SEQUENCE twice). Events of one booking run in order (their job key), so the latest snapshot so far is
    the one before this event."""
    existing = EventSnapshot.objects.filter(source=source).first()
    if existing is not None:
        return existing
    previous = EventSnapshot.objects.filter(booking=booking).order_by("-id").first()
    sequence = bump_sequence(booking) if changes_invitation(payload) else current_sequence(booking)
    start, end, appointment_id, staff = _as_announced(booking, payload)
    return EventSnapshot.objects.create(
        booking=booking,
        source=source,
        event=payload.event,
        status=payload.status or booking.status,
        appointment_id=appointment_id,
        start=start,
        end=end,
        staff=staff,
        staff_name=staff.name if staff else "",
        previous_staff_id=previous.staff_id if previous else None,
        previous_start=previous.start if previous else None,
        previous_end=previous.end if previous else None,
        sequence=sequence,
        change_reason=payload.reason or "",
        changed_by=(payload.changed_by or "")[:200],
    )


def _as_announced(booking: Booking, payload: BookingEvent) -> tuple[datetime, datetime, int, Staff | None]:
    """Times, appointment and staff member from the payload; the booking's current ones for payloads written
    before the event said them (jobs queued by an older release)."""
    appointment = booking.appointment
    if payload.start is None or payload.end is None or payload.staff_id is None:
        return appointment.start, appointment.end, appointment.pk, appointment.staff
    staff = appointment.staff if appointment.staff_id == payload.staff_id else None
    if staff is None:
        staff = Staff.objects.filter(pk=payload.staff_id).first()
    return payload.start, payload.end, payload.appointment_id or appointment.pk, staff
