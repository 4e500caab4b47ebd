"""New bookings (`services.book`, `services.book_by_ids`) and the customers they upsert."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from rendez.lib import rows
from rendez.observability import metrics
from rendez.scheduling import events
from rendez.scheduling._booking_checks import require_bookable, require_under_caps
from rendez.scheduling._booking_errors import BookingError
from rendez.scheduling._booking_locks import Offering, lock_offering, lock_offering_by_ids
from rendez.scheduling._booking_seats import take_seats
from rendez.scheduling.calendars import Schedules, booking_reach, read_schedules
from rendez.scheduling.models import Booking, Customer, Service, Staff


@dataclass(frozen=True)
class CustomerDetails:
    name: str
    email: str
    phone: str = ""
    timezone: str = ""


@metrics.counts_bookings(refusal=BookingError)
def book(
    *,
    service: Service,
    staff: Staff,
    start: datetime,
    customer: CustomerDetails,
    party_size: int = 1,
    notes: str = "",
    now: datetime | None = None,
    answers: Sequence[Mapping[str, object]] = (),
    assignment: str = "",
) -> Booking:
    """Book `party_size` seats of `service` with `staff` at `start`, joining the open group session there.
    `answers`: the snapshot `questions.check_answers` made of the customer's answers, stored as given.

    `assignment`: the policy that chose `staff` for "any available" (any_staff.py); the booking records it,
    and a new session is refused (a conflict) when it would pass the staff member's daily or weekly cap."""
    require_bookable(service, staff)
    request = _Request(
        service.tenant_id,
        staff.pk,
        start,
        customer,
        party_size,
        notes,
        now or timezone.now(),
        answers,
        assignment,
    )
    return _book(request, lambda: lock_offering(service, staff))


@metrics.counts_bookings(refusal=BookingError)
def book_by_ids(
    *,
    tenant_id: int,
    service_id: int,
    staff_id: int,
    start: datetime,
    customer: CustomerDetails,
    party_size: int = 1,
    notes: str = "",
    now: datetime | None = None,
    answers: Sequence[Mapping[str, object]] = (),
) -> Booking:
    """`book` for a caller holding only ids (the API): the tenant's service and staff member are read by the
    statement that locks the staff member. An id the tenant does not have raises `UnknownId`."""
    request = _Request(
        tenant_id, staff_id, start, customer, party_size, notes, now or timezone.now(), answers
    )
    return _book(request, lambda: lock_offering_by_ids(tenant_id, service_id, staff_id))


@dataclass(frozen=True)
class _Request:
    tenant_id: int
    staff_id: int
    start: datetime
    customer: CustomerDetails
    party_size: int
    notes: str
    now: datetime
    answers: Sequence[Mapping[str, object]] = ()
    assignment: str = ""


def _book(request: _Request, lock: Callable[[], Offering]) -> Booking:
    """The one booking transaction: the customer upserted and the staff member's hours and time off read
    first (before any lock), then the staff member locked; what follows the lock is only what must see the
    calendar as it is: its appointments, the inserts, and the follow-up jobs (one statement). The caller gets
    the rows in hand, nothing read back."""
    if request.party_size < 1:
        raise BookingError("invalid_party_size", "Party size must be at least 1.", field="party_size")
    if timezone.is_naive(request.start):
        raise BookingError("naive_start", "The start time needs a UTC offset or zone.", field="start")
    # In UTC, as the database gives it back: the rows in hand are what the caller answers with.
    start = request.start.astimezone(UTC)
    with transaction.atomic():
        customer = upsert_customer(request.tenant_id, request.customer)
        schedules = _schedules_before_lock(request.staff_id, start)
        offering = lock()
        service, staff = offering.service, offering.staff
        require_bookable(service, staff)
        appointment = take_seats(
            service, staff, start, request.party_size, request.now, schedules, offering.has_calendars
        )
        if request.assignment and appointment.seats_taken == request.party_size:
            require_under_caps(staff, start)
        booking = rows.insert(
            Booking(
                tenant_id=request.tenant_id,
                appointment=appointment,
                customer=customer,
                party_size=request.party_size,
                status=service.initial_status,
                notes=request.notes,
                answers=list(request.answers),
                assigned_by=request.assignment,
            )
        )
        events.booking_changed(booking, events.BOOKING_CREATED, has_calendars=offering.has_calendars)
    return booking


def _schedules_before_lock(staff_id: int, start: datetime) -> Schedules | None:
    """The staff member's hours and time off, read before their lock so it is held for less.

    Safe because their only writers (catalog.py) never read appointments: a booking checked against hours
    replaced while it waited for the lock is the same as one made just before that change, which leaves
    booked appointments booked. The read belongs to the booking's transaction, whose checks under the lock
    refuse a staff member of another tenant; None where the start is too far off to be booked at all."""
    reach = booking_reach(start)
    return read_schedules([staff_id], reach) if reach is not None else None


def upsert_customer(tenant_id: int, details: CustomerDetails) -> Customer:
    """The tenant's customer with this email, added if new, in one statement.

    Customers are known by email within a tenant. A booking never changes a known customer's details:
    anyone may type anyone's email into a public booking form, and a rename would show in every past booking
    and message of that person. The details given only describe a customer seen for the first time."""
    new = Customer(
        tenant_id=tenant_id,
        email=details.email.strip().lower(),
        name=details.name,
        phone=details.phone,
        timezone=details.timezone,
    )
    with rows.cursor() as cursor:
        cursor.execute(_customer_upsert_sql(), rows.params(new, rows.insert_fields(Customer)))
        returned = cursor.fetchone()
    return rows.from_db(Customer, [Customer._meta.pk, *rows.insert_fields(Customer)], returned)


@cache
def _customer_upsert_sql() -> str:
    # DO UPDATE rewrites the email with itself, where DO NOTHING would return no row for a known customer and
    # cost a second statement to read it; it also holds the row until commit, so two bookings of one new
    # customer cannot both insert.
    quote = connection.ops.quote_name
    fields = rows.insert_fields(Customer)
    table, email = quote(Customer._meta.db_table), quote("email")
    return (
        f"INSERT INTO {table} ({rows.columns(fields)}) VALUES {rows.placeholders(fields)}"
        f" ON CONFLICT ({quote('tenant_id')}, {email}) DO UPDATE SET {email} = excluded.{email}"
        f" RETURNING {rows.columns([Customer._meta.pk, *fields])}"
    )
