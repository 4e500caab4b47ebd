"""Rescheduling (`services.reschedule_booking`, `services.reschedule_appointment`): a booking or a whole
appointment moved to another time, staff member or service."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from rendez.scheduling import changes, events
from rendez.scheduling._booking_checks import (
    change_note,
    require_holds_seats,
    require_offered,
    require_same_tenant,
)
from rendez.scheduling._booking_errors import BookingError
from rendez.scheduling._booking_locks import lock_appointment, lock_booking
from rendez.scheduling._booking_seats import move_appointment, open_session, release_seats, take_seats
from rendez.scheduling.models import Appointment, Booking, Service, Staff
from rendez.tenants.models import Tenant


def reschedule_booking(
    booking: Booking,
    *,
    start: datetime,
    staff: Staff | None = None,
    service: Service | None = None,
    now: datetime | None = None,
    reason: str = "",
    by: User | None = None,
    by_customer: bool = False,
) -> Booking:
    """Move one booking to another time, staff member or service (each None: unchanged), under the rules of
    booking: offered by the staff member, free for the service's duration and buffers. Alone in its
    appointment it moves the appointment (the meeting follows); otherwise it leaves its group for the target
    slot, joining a session already there. The booking's history records the move with `reason` and who
    made it (`by`, or the customer)."""
    note = change_note(reason, by, by_customer)
    now = now or timezone.now()
    service = service or booking.appointment.service
    staff = staff or booking.appointment.staff
    require_same_tenant(booking.tenant_id, service)
    require_offered(service, staff)
    with transaction.atomic():
        booking = lock_booking(booking, staff)
        require_holds_seats(booking, "rescheduled")
        old = booking.appointment
        if (old.start, old.staff_id, old.service_id) == (start, staff.pk, service.pk):
            return booking
        was = changes.Placement.of(old)
        alone = old.seats_taken == booking.party_size
        target_has_session = open_session(service, staff, start, exclude=old.pk) is not None
        if alone and not target_has_session:
            move_appointment(old, staff, start, now, service=service)
        else:
            target = take_seats(service, staff, start, booking.party_size, now)
            release_seats(old, booking.party_size)
            booking.appointment = target
            booking.save(update_fields=["appointment", "updated_at"])
        moved_to = changes.Placement(start, staff.pk, staff.name, service.pk, service.name)
        changes.record_moves([booking], was, moved_to, note, _zone_of(booking.tenant_id))
        events.booking_changed(booking, events.BOOKING_RESCHEDULED, note=note)
    return booking


def reschedule_appointment(
    appointment: Appointment,
    *,
    start: datetime,
    staff: Staff | None = None,
    service: Service | None = None,
    now: datetime | None = None,
    reason: str = "",
    by: User | None = None,
    by_customer: bool = False,
) -> Appointment:
    """Move a whole appointment (every booking of a group session) to another time, staff member or service;
    a new service must seat everyone already booked. Each booking moved gets the move in its history."""
    note = change_note(reason, by, by_customer)
    now = now or timezone.now()
    staff = staff or appointment.staff
    service = service or appointment.service
    require_same_tenant(appointment.tenant_id, service)
    require_offered(service, staff)
    with transaction.atomic():
        appointment = lock_appointment(appointment, staff)
        if appointment.seats_taken == 0:
            raise BookingError("nothing_to_move", "This appointment has no active bookings left to move.")
        if (appointment.start, appointment.staff_id, appointment.service_id) == (start, staff.pk, service.pk):
            return appointment
        if open_session(service, staff, start, exclude=appointment.pk) is not None:
            raise BookingError(
                "conflict",
                "Another session of this service is already at that time.",
                field="start",
                conflict=True,
            )
        was = changes.Placement.of(appointment)
        move_appointment(appointment, staff, start, now, service=service)
        moved = list(appointment.bookings.filter(status__in=Booking.SEAT_HOLDING))
        moved_to = changes.Placement.of(appointment)
        changes.record_moves(moved, was, moved_to, note, _zone_of(appointment.tenant_id))
        for booking in moved:
            events.booking_changed(booking, events.BOOKING_RESCHEDULED, note=note)
    return appointment


def _zone_of(tenant_id: int) -> str:
    """The business's zone, in which a change's summary names times."""
    return Tenant.objects.values_list("timezone", flat=True).get(pk=tenant_id)
