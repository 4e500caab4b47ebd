"""Checks the booking writers (`services.py`) make before writing: what the rows alone can refuse, the
staff member's caps, and the note a change records."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User

from rendez.scheduling import changes, workload
from rendez.scheduling._booking_errors import BookingError
from rendez.scheduling.assignment import Caps, cap_reached, day_of, week_of
from rendez.scheduling.models import Booking, Service, Staff


def change_note(reason: str, by: User | None, by_customer: bool) -> changes.Note:
    """The change's note, its reason trimmed; one longer than the history keeps is refused before anything
    is written."""
    reason = (reason or "").strip()
    if len(reason) > changes.REASON_MAX:
        raise BookingError(
            "reason_too_long",
            f"The reason is {len(reason)} characters long; it may be at most {changes.REASON_MAX}.",
            field="reason",
        )
    return changes.Note(reason=reason, by=by, by_customer=by_customer)


def require_same_tenant(tenant_id: int, service: Service) -> None:
    if service.tenant_id != tenant_id:
        raise BookingError("unknown_service", "No such service.", field="service_id")


def require_offered(service: Service, staff: Staff) -> None:
    require_bookable(service, staff)
    if not service.staff.filter(pk=staff.pk).exists():
        raise not_offering(service, staff)


def require_bookable(service: Service, staff: Staff) -> None:
    """What can be told from the rows alone; whether `staff` offers `service` is the database's to say."""
    if staff.tenant_id != service.tenant_id:
        raise BookingError("unknown_staff", "No such staff member.", field="staff_id")
    if not service.is_active:
        raise BookingError("service_inactive", "This service is not bookable.", field="service_id")
    if not staff.is_active:
        raise not_offering(service, staff)


def not_offering(service: Service, staff: Staff) -> BookingError:
    return BookingError(
        "staff_not_offering", f"{staff.name} does not offer {service.name}.", field="staff_id"
    )


def require_under_caps(staff: Staff, start: datetime) -> None:
    """Refuse a new session at `start` that would pass the staff member's daily or weekly cap, counted in
    their own zone. Caller holds their lock, so two assignments cannot both take the last place; a session
    joined (a group) adds no work and is not checked."""
    caps = Caps(staff.max_assignments_per_day, staff.max_assignments_per_week)
    if not caps.any:
        return
    day, week = day_of(start, staff.zone), week_of(start, staff.zone)
    # The session just inserted has no booking yet: the counts are of the ones before it.
    reached = cap_reached(
        caps,
        workload.session_count(staff.pk, day) if caps.per_day is not None else 0,
        workload.session_count(staff.pk, week) if caps.per_week is not None else 0,
    )
    if reached is not None:
        raise BookingError(
            "assignment_cap_reached",
            f"{staff.name} takes no more bookings that {reached}.",
            field="staff_id",
            conflict=True,
        )


def require_holds_seats(booking: Booking, verb: str) -> None:
    if not booking.holds_seats:
        raise BookingError("not_active", f"A {booking.status} booking cannot be {verb}.", field="status")
