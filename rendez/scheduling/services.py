"""The only writers of bookings and appointments.

Each function runs in one transaction that locks the staff members concerned (PostgreSQL row locks; SQLite
takes its single write lock at BEGIN IMMEDIATE), re-checks availability under the lock, writes, and enqueues
the follow-up jobs (meeting sync, notifications) in the same transaction, so a commit always carries its
consequences.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TypeVar, cast
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F, ManyToManyField
from django.db.models.functions import Greatest
from django.utils import timezone

from rendez.lib import rows
from rendez.observability import metrics
from rendez.scheduling import changes, events, workload
from rendez.scheduling.assignment import Caps, cap_reached, day_of, week_of
from rendez.scheduling.availability import (
    Calendar,
    Interval,
    Refusal,
    blocked_span,
    check_request,
    check_start,
)
from rendez.scheduling.calendars import (
    Schedules,
    booking_reach,
    load_calendars,
    read_schedules,
    rules_for,
)
from rendez.scheduling.models import Appointment, Booking, Customer, Series, Service, Staff
from rendez.scheduling.series import Repeat, RepeatError, occurrences, shifted
from rendez.tenants.models import Tenant

Status = Booking.Status
Row = TypeVar("Row", Booking, Appointment)


class BookingError(Exception):
    """A refused change. `conflict` ones are about the calendar (HTTP 409), the rest about the input (422)."""

    def __init__(self, code: str, message: str, *, field: str | None = None, conflict: bool = False):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.conflict = conflict

    @classmethod
    def from_refusal(cls, refusal: Refusal) -> BookingError:
        # A party too big for the service is the party's fault, not the time's: clients show it on that field.
        field = "party_size" if refusal.code == "party_too_large" else "start"
        return cls(refusal.code, refusal.message, field=field, conflict=refusal.is_conflict)


class UnknownId(BookingError):
    """An id the tenant has no row for (the API answers 404)."""


@dataclass(frozen=True)
class CustomerDetails:
    name: str
    email: str
    phone: str = ""
    timezone: str = ""


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
    _require_bookable(service, staff)
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
    return _book(request, lambda: _lock_offering(service, staff))


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
    return _book(request, lambda: _lock_offering_by_ids(tenant_id, service_id, staff_id))


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


def _book(request: _Request, lock_offering: Callable[[], tuple[Service, Staff]]) -> Booking:
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
        service, staff = lock_offering()
        _require_bookable(service, staff)
        appointment = _take_seats(service, staff, start, request.party_size, request.now, schedules)
        if request.assignment and appointment.seats_taken == request.party_size:
            _require_under_caps(staff, start)
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
        events.booking_changed(booking, events.BOOKING_CREATED)
    return booking


def _schedules_before_lock(staff_id: int, start: datetime) -> Schedules | None:
    """The staff member's hours and time off, read before their lock so it is held for less.

    Safe because their only writers (catalog.py) never read appointments: a booking checked against hours
    replaced while it waited for the lock is the same as one made just before that change, which leaves
    booked appointments booked. The read belongs to the booking's transaction, whose checks under the lock
    refuse a staff member of another tenant; None where the start is too far off to be booked at all."""
    reach = booking_reach(start)
    return read_schedules([staff_id], reach) if reach is not None else None


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
    note = _note(reason, by, by_customer)
    now = now or timezone.now()
    service = service or booking.appointment.service
    staff = staff or booking.appointment.staff
    _require_same_tenant(booking.tenant_id, service)
    _require_offered(service, staff)
    with transaction.atomic():
        booking = _lock_booking(booking, staff)
        _require_holds_seats(booking, "rescheduled")
        old = booking.appointment
        if (old.start, old.staff_id, old.service_id) == (start, staff.pk, service.pk):
            return booking
        was = changes.Placement.of(old)
        alone = old.seats_taken == booking.party_size
        target_has_session = _open_session(service, staff, start, exclude=old.pk) is not None
        if alone and not target_has_session:
            _move_appointment(old, staff, start, now, service=service)
        else:
            target = _take_seats(service, staff, start, booking.party_size, now)
            _release_seats(old, booking.party_size)
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
    note = _note(reason, by, by_customer)
    now = now or timezone.now()
    staff = staff or appointment.staff
    service = service or appointment.service
    _require_same_tenant(appointment.tenant_id, service)
    _require_offered(service, staff)
    with transaction.atomic():
        appointment = _lock_appointment(appointment, staff)
        if appointment.seats_taken == 0:
            raise BookingError("nothing_to_move", "This appointment has no active bookings left to move.")
        if (appointment.start, appointment.staff_id, appointment.service_id) == (start, staff.pk, service.pk):
            return appointment
        if _open_session(service, staff, start, exclude=appointment.pk) is not None:
            raise BookingError(
                "conflict",
                "Another session of this service is already at that time.",
                field="start",
                conflict=True,
            )
        was = changes.Placement.of(appointment)
        _move_appointment(appointment, staff, start, now, service=service)
        moved = list(appointment.bookings.filter(status__in=Booking.SEAT_HOLDING))
        moved_to = changes.Placement.of(appointment)
        changes.record_moves(moved, was, moved_to, note, _zone_of(appointment.tenant_id))
        for booking in moved:
            events.booking_changed(booking, events.BOOKING_RESCHEDULED, note=note)
    return appointment


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
    note = _note(reason, by, by_customer)
    now = now or timezone.now()
    if status not in Status.values:
        raise BookingError("unknown_status", f"{status!r} is not a booking status.", field="status")
    with transaction.atomic():
        booking = _lock_booking(booking)
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
            _release_seats(booking.appointment, booking.party_size)
        changes.record_status(booking, status, note)
        events.booking_changed(booking, events.status_event(status), previous_status=old_status, note=note)
    return booking


# --- internals ----------------------------------------------------------------------------------------------


def _note(reason: str, by: User | None, by_customer: bool) -> changes.Note:
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


def _zone_of(tenant_id: int) -> str:
    """The business's zone, in which a change's summary names times."""
    return Tenant.objects.values_list("timezone", flat=True).get(pk=tenant_id)


def _require_same_tenant(tenant_id: int, service: Service) -> None:
    if service.tenant_id != tenant_id:
        raise BookingError("unknown_service", "No such service.", field="service_id")


def _require_offered(service: Service, staff: Staff) -> None:
    _require_bookable(service, staff)
    if not service.staff.filter(pk=staff.pk).exists():
        raise _not_offering(service, staff)


def _require_bookable(service: Service, staff: Staff) -> None:
    """What can be told from the rows alone; whether `staff` offers `service` is the database's to say."""
    if staff.tenant_id != service.tenant_id:
        raise BookingError("unknown_staff", "No such staff member.", field="staff_id")
    if not service.is_active:
        raise BookingError("service_inactive", "This service is not bookable.", field="service_id")
    if not staff.is_active:
        raise _not_offering(service, staff)


def _not_offering(service: Service, staff: Staff) -> BookingError:
    return BookingError(
        "staff_not_offering", f"{staff.name} does not offer {service.name}.", field="staff_id"
    )


def _lock_offering(service: Service, staff: Staff) -> tuple[Service, Staff]:
    """Lock `staff` with the statement that proves they offer `service`."""
    offering = Staff.objects.select_for_update(of=("self",)).filter(pk=staff.pk, services=service)
    if not list(offering.values_list("pk", flat=True)):
        raise _not_offering(service, staff)
    return service, staff


def _lock_offering_by_ids(tenant_id: int, service_id: int, staff_id: int) -> tuple[Service, Staff]:
    """The tenant's service and staff member, read by the statement that locks the staff member and proves
    they offer the service; when there is no such pair, the reason."""
    with rows.cursor() as cursor:
        cursor.execute(_offering_sql(connection.vendor), [service_id, tenant_id, staff_id, tenant_id])
        found = cursor.fetchone()
    if found is None:
        service = Service.objects.filter(tenant_id=tenant_id, pk=service_id).first()
        if service is None:
            raise UnknownId("unknown_service", "No such service.", field="service_id")
        staff = Staff.objects.filter(tenant_id=tenant_id, pk=staff_id).first()
        if staff is None:
            raise UnknownId("unknown_staff", "No such staff member.", field="staff_id")
        raise _not_offering(service, staff)
    service_columns = len(rows.all_fields(Service))
    return (
        rows.from_db(Service, rows.all_fields(Service), found[:service_columns]),
        rows.from_db(Staff, rows.all_fields(Staff), found[service_columns:]),
    )


@cache
def _offering_sql(vendor: str) -> str:
    # Written out rather than compiled by the ORM on every booking: compiling this join cost a fifth of the
    # booking's CPU time.
    quote = connection.ops.quote_name
    offers = Service._meta.get_field("staff")
    assert isinstance(offers, ManyToManyField)
    link = quote(Service.staff.through._meta.db_table)
    service_id, staff_id = quote(offers.m2m_column_name()), quote(offers.m2m_reverse_name())
    service_columns = rows.columns(rows.all_fields(Service), "service")
    staff_columns = rows.columns(rows.all_fields(Staff), "staff")
    sql = (
        f"SELECT {service_columns}, {staff_columns} FROM {quote(Service._meta.db_table)} service"
        f" JOIN {link} offers ON offers.{service_id} = service.id"
        f" JOIN {quote(Staff._meta.db_table)} staff ON staff.id = offers.{staff_id}"
        " WHERE service.id = %s AND service.tenant_id = %s AND staff.id = %s AND staff.tenant_id = %s"
    )
    # SQLite has no row locks: its transaction holds the one write lock from BEGIN IMMEDIATE.
    return sql + " FOR UPDATE OF staff" if vendor == "postgresql" else sql


def _require_under_caps(staff: Staff, start: datetime) -> None:
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


def _require_holds_seats(booking: Booking, verb: str) -> None:
    if not booking.holds_seats:
        raise BookingError("not_active", f"A {booking.status} booking cannot be {verb}.", field="status")


def _lock_staff(*staff: Staff) -> None:
    """Serialize writers per staff member, in id order so two movers between a pair cannot deadlock."""
    _lock_staff_ids(member.pk for member in staff)


def _lock_staff_ids(ids: Iterable[int]) -> None:
    ordered = sorted(set(ids))
    list(Staff.objects.select_for_update().filter(pk__in=ordered).order_by("pk").values_list("pk", flat=True))


def _lock_booking(booking: Booking, *also: Staff) -> Booking:
    """The booking read afresh while its staff member (and `also`) is locked."""
    return _read_under_lock(
        lambda: Booking.objects.select_related("appointment__service", "appointment__staff").get(
            pk=booking.pk
        ),
        lambda fresh: fresh.appointment.staff_id,
        also,
    )


def _lock_appointment(appointment: Appointment, *also: Staff) -> Appointment:
    """The appointment read afresh while its staff member (and `also`) is locked."""
    return _read_under_lock(
        lambda: Appointment.objects.select_related("service", "staff").get(pk=appointment.pk),
        lambda fresh: fresh.staff_id,
        also,
    )


def _read_under_lock(
    read: Callable[[], Row], staff_id_of: Callable[[Row], int], also: Iterable[Staff]
) -> Row:
    """Read a row, lock its staff member and `also`, and read it again until a read made under the lock names
    only locked staff (the row may have moved to someone else while we waited).

    Reading before locking would let two concurrent cancels both see "confirmed" and both give the seats back.
    """
    locked: set[int] = set()
    extra: set[int] = {member.pk for member in also}
    while True:
        fresh = read()
        wanted = {staff_id_of(fresh), *extra}
        if wanted <= locked:
            return fresh
        locked |= wanted
        _lock_staff_ids(locked)


def _open_session(
    service: Service, staff: Staff, start: datetime, exclude: int | None = None
) -> Appointment | None:
    sessions = Appointment.objects.filter(service=service, staff=staff, start=start, seats_taken__gt=0)
    if exclude is not None:
        sessions = sessions.exclude(pk=exclude)
    return sessions.first()


def _check(
    service: Service,
    staff: Staff,
    start: datetime,
    party_size: int,
    now: datetime,
    exclude: int | None = None,
    schedules: Schedules | None = None,
) -> Calendar:
    """Refuse `start` unless `party_size` fits there; the calendar that says so (with `schedules` if read)."""
    if timezone.is_naive(start):
        raise BookingError("naive_start", "The start time needs a UTC offset or zone.", field="start")
    rules = rules_for(service)
    refusal = check_request(rules, start, now, party_size)
    if refusal is not None:
        raise BookingError.from_refusal(refusal)
    window = Interval(start, start + service.duration)
    calendar = load_calendars(service, [staff], window, exclude, schedules)[staff.pk]
    verdict = check_start(rules, calendar, start, now, party_size)
    if isinstance(verdict, Refusal):
        raise BookingError.from_refusal(verdict)
    return calendar


def _take_seats(
    service: Service,
    staff: Staff,
    start: datetime,
    party_size: int,
    now: datetime,
    schedules: Schedules | None = None,
) -> Appointment:
    """Seats at `start`: in the open session there, or in a new appointment. Caller holds the staff lock."""
    calendar = _check(service, staff, start, party_size, now, schedules=schedules)
    # The calendar just read holds the open session, if any: a one-to-one booking needs no look for one.
    session = next((busy for busy in calendar.appointments if busy.joinable and busy.start == start), None)
    if session is not None:
        session_id = cast(int, session.key)  # load_calendars keys busy appointments by id
        Appointment.objects.filter(pk=session_id).update(
            seats_taken=F("seats_taken") + party_size, capacity=Greatest(F("capacity"), service.capacity)
        )
        return Appointment.objects.get(pk=session_id)
    return rows.insert(
        Appointment(
            tenant_id=service.tenant_id,
            service=service,
            staff=staff,
            **_times(service, start),
            seats_taken=party_size,
            capacity=service.capacity,
        )
    )


def _times(service: Service, start: datetime) -> dict[str, datetime]:
    """An appointment's start and end, and the span it blocks (the service's buffers when it was booked)."""
    block = blocked_span(start, rules_for(service))
    return {
        "start": start,
        "end": start + service.duration,
        "block_start": block.start,
        "block_end": block.end,
    }


def _release_seats(appointment: Appointment, party_size: int) -> None:
    Appointment.objects.filter(pk=appointment.pk).update(seats_taken=F("seats_taken") - party_size)
    appointment.refresh_from_db()
    events.appointment_changed(appointment)


def _move_appointment(
    appointment: Appointment, staff: Staff, start: datetime, now: datetime, *, service: Service | None = None
) -> None:
    """Give the appointment its new time, staff member and service; checked as a booking of all its seats
    (a new service's capacity must hold them, its duration and buffers must fit)."""
    service = service or appointment.service
    _check(service, staff, start, appointment.seats_taken, now, exclude=appointment.pk)
    if service.pk != appointment.service_id:
        appointment.capacity = service.capacity
    appointment.staff, appointment.service = staff, service
    for field, value in _times(service, start).items():
        setattr(appointment, field, value)
    appointment.save(
        update_fields=[
            "staff",
            "service",
            "capacity",
            "start",
            "end",
            "block_start",
            "block_end",
            "updated_at",
        ]
    )
    events.appointment_changed(appointment)


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


# --- recurring series (docs/series.md) -----------------------------------------------
#
# A series is ordinary bookings carrying `series`: each occurrence is booked, moved and cancelled by the
# functions above, all of them inside ONE transaction (the staff lock, taken by the first, is held to the
# end), so "all or none" is atomic. `events.series_action` groups their events into one message per person.


@dataclass(frozen=True)
class SkippedOccurrence:
    start: datetime
    code: str
    message: str


@dataclass(frozen=True)
class SeriesOutcome:
    series: Series
    bookings: list[Booking]
    skipped: list[SkippedOccurrence]


class SeriesConflict(BookingError):
    """Occurrences that cannot be booked or moved (HTTP 409); the message names each with its reason."""

    def __init__(self, refused: list[SkippedOccurrence], zone: ZoneInfo, verb: str = "booked"):
        listed = "; ".join(
            f"{_occurrence_label(item.start, zone)}: {item.message.rstrip('.')}" for item in refused
        )
        many = "dates" if len(refused) != 1 else "date"
        super().__init__(
            "occurrences_unavailable",
            f"{len(refused)} {many} of the series cannot be {verb}, so none was. {listed}.",
            field="start",
            conflict=True,
        )
        self.refused = refused


def series_starts(
    service: Service, staff: Staff, start: datetime, repeat: Repeat, now: datetime
) -> list[datetime]:
    """The occurrences of `repeat` from `start` in the staff member's zone, or `BookingError` (422) for a
    rule that cannot be one (and for a service that takes no series)."""
    if not service.series_allowed:
        raise BookingError(
            "series_not_allowed", f"{service.name} cannot be booked as a recurring series.", field="repeat"
        )
    zone = staff.zone
    last_day = (now + timedelta(days=service.horizon_days)).astimezone(zone).date()
    try:
        return occurrences(start, repeat, zone, last_day=last_day)
    except RepeatError as refused:
        raise BookingError(refused.code, refused.message, field=refused.field) from None


def book_series(
    *,
    tenant_id: int,
    service_id: int,
    staff_id: int,
    start: datetime,
    customer: CustomerDetails,
    repeat: Repeat,
    partial: bool = False,
    party_size: int = 1,
    notes: str = "",
    now: datetime | None = None,
    answers: Sequence[Mapping[str, object]] = (),
) -> SeriesOutcome:
    """Book every occurrence of `repeat` from `start`, each checked as a single booking. `partial` False: all
    or none (`SeriesConflict` naming the ones that cannot be had); True: the free ones, the rest `skipped`
    with their reason (`SeriesConflict` when none is free)."""
    now = now or timezone.now()
    service = Service.objects.filter(tenant_id=tenant_id, pk=service_id).first()
    if service is None:
        raise UnknownId("unknown_service", "No such service.", field="service_id")
    staff = Staff.objects.filter(tenant_id=tenant_id, pk=staff_id).first()
    if staff is None:
        raise UnknownId("unknown_staff", "No such staff member.", field="staff_id")
    if timezone.is_naive(start):
        raise BookingError("naive_start", "The start time needs a UTC offset or zone.", field="start")
    starts = series_starts(service, staff, start, repeat, now)
    with transaction.atomic():
        owner = upsert_customer(tenant_id, customer)
        series = Series.objects.create(
            tenant_id=tenant_id,
            service=service,
            staff=staff,
            customer=owner,
            frequency=repeat.frequency,
            interval=repeat.interval,
            count=repeat.count,
            until=repeat.until,
        )
        with events.series_action(series.pk, tenant_id):
            booked, skipped = _book_each(service, staff, starts, customer, party_size, notes, now, answers)
            if skipped and (not partial or not booked):
                raise SeriesConflict(skipped, staff.zone)
        Booking.objects.filter(pk__in=[booking.pk for booking in booked]).update(series=series)
    for booking in booked:
        booking.series = series
    return SeriesOutcome(series, booked, skipped)


def _book_each(
    service: Service,
    staff: Staff,
    starts: list[datetime],
    customer: CustomerDetails,
    party_size: int,
    notes: str,
    now: datetime,
    answers: Sequence[Mapping[str, object]] = (),
) -> tuple[list[Booking], list[SkippedOccurrence]]:
    """Book the occurrences soonest first (their meeting syncs are queued in that order, so a host's daily
    quota goes to the nearest ones); a refusal about the time is collected, one about the input raised."""
    booked: list[Booking] = []
    skipped: list[SkippedOccurrence] = []
    for start in starts:
        try:
            booked.append(
                book(
                    service=service,
                    staff=staff,
                    start=start,
                    customer=customer,
                    party_size=party_size,
                    notes=notes,
                    now=now,
                    answers=answers,
                )
            )
        except BookingError as refused:
            if not _occurrence_refusal(refused, first=start == starts[0]):
                raise
            skipped.append(SkippedOccurrence(start, refused.code, refused.message))
    return booked, skipped


def series_bookings(series: Series, *, from_booking: Booking | None = None, now: datetime | None = None):
    """The series' occurrences still to come that hold seats, soonest first; from `from_booking` on when
    given ("this and following"). Occurrences that began are history: no series action changes them."""
    now = now or timezone.now()
    bookings = Booking.objects.filter(
        series=series, status__in=Booking.SEAT_HOLDING, appointment__start__gt=now
    ).select_related("appointment__service", "appointment__staff")
    if from_booking is not None:
        bookings = bookings.filter(appointment__start__gte=from_booking.appointment.start)
    return list(bookings.order_by("appointment__start", "pk"))


def cancel_series(
    series: Series,
    *,
    from_booking: Booking | None = None,
    now: datetime | None = None,
    reason: str = "",
    by: User | None = None,
    by_customer: bool = False,
) -> list[Booking]:
    """Cancel the series' coming occurrences (from `from_booking` on: "this and following"), in one
    transaction and one action: one event per booking, one message per person, each booking's history
    with the reason. Returns those cancelled."""
    now = now or timezone.now()
    if from_booking is not None and from_booking.series_id != series.pk:
        raise BookingError(
            "not_in_series", "That booking is not part of this series.", field="from_booking_id"
        )
    cancelled = []
    with transaction.atomic(), events.series_action(series.pk, series.tenant_id):
        for booking in series_bookings(series, from_booking=from_booking, now=now):
            cancelled.append(
                set_status(booking, Status.CANCELLED, now=now, reason=reason, by=by, by_customer=by_customer)
            )
    return cancelled


def reschedule_series(
    booking: Booking,
    *,
    start: datetime,
    now: datetime | None = None,
    reason: str = "",
    by: User | None = None,
    by_customer: bool = False,
) -> list[Booking]:
    """Move `booking` to `start` and every later occurrence of its series by the same wall-clock offset (in
    the staff member's zone): "this and following". All or none (`SeriesConflict` naming the dates that
    cannot be had), one event per booking and one message per person."""
    now = now or timezone.now()
    series = booking.series
    if series is None:
        raise BookingError("not_in_series", "That booking is not part of a series.", field="booking_id")
    if timezone.is_naive(start):
        raise BookingError("naive_start", "The start time needs a UTC offset or zone.", field="start")
    old_first = booking.appointment.start
    zone = booking.appointment.staff.zone
    moving = series_bookings(series, from_booking=booking, now=now)
    # Later first when moving later (and earlier first when earlier): each moves into time the next one to
    # move may be holding, and one step of a weekly series moves onto its neighbour's old place.
    moving.sort(key=lambda b: b.appointment.start, reverse=start > old_first)
    moved, refused = [], []
    with transaction.atomic(), events.series_action(series.pk, series.tenant_id):
        for occurrence in moving:
            target = shifted(occurrence.appointment.start, old_first, start, zone)
            try:
                moved.append(
                    reschedule_booking(
                        occurrence, start=target, now=now, reason=reason, by=by, by_customer=by_customer
                    )
                )
            except BookingError as refusal:
                if not _occurrence_refusal(refusal, first=occurrence.pk == booking.pk):
                    raise
                refused.append(SkippedOccurrence(target, refusal.code, refusal.message))
        if refused:
            raise SeriesConflict(sorted(refused, key=lambda item: item.start), zone, verb="moved")
    return sorted(moved, key=lambda b: b.appointment.start)


def _occurrence_refusal(refusal: BookingError, *, first: bool) -> bool:
    """Whether a refusal is about one occurrence's time (taken, away, past the horizon: that date is named)
    rather than the request as a whole (the first date itself not valid, a party too big: a 422)."""
    return refusal.conflict or (refusal.field == "start" and not first)


def _occurrence_label(start: datetime, zone: ZoneInfo) -> str:
    local = start.astimezone(zone)
    return f"{local:%a %d %b %Y %H:%M} ({local.isoformat()})"
