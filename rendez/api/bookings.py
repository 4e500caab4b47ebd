"""Bookings and appointments: book, look, move, cancel, change status. All writes go through services.py."""

# No `from __future__ import annotations` here: ninja's @paginate re-creates the view's signature and resolves
# string annotations in its own module, where `Query[BookingFilters]` means nothing (every list answered 500).

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from rendez.api.answers import checked_answers
from rendez.api.auth import tenant_of
from rendez.api.booking_schemas import (
    AppointmentFilters,
    AppointmentOut,
    BookingFilters,
    BookingIn,
    BookingOut,
    ChangeIn,
    RescheduleIn,
    StatusIn,
)
from rendez.api.errors import error_responses
from rendez.api.pagination import Pages
from rendez.conferencing import queries as meetings
from rendez.conferencing.hosting import able_to_host
from rendez.scheduling import any_staff, services, timeline
from rendez.scheduling.models import Appointment, Booking, Service, Staff
from rendez.tenants.models import Tenant

router = Router()
LIST_ERRORS = error_responses(401, 422)
ERRORS = error_responses(401, 404, 409, 422)
# Operations with a body also answer 400 when it is not JSON at all.
BODY_ERRORS = error_responses(400, 401, 404, 409, 413, 422)


def _bookings(tenant: Tenant):
    return Booking.objects.filter(tenant=tenant).select_related(
        f"appointment__{meetings.RELATION}", "customer"
    )


def _appointments(tenant: Tenant):
    bookings = Prefetch(
        "bookings", queryset=Booking.objects.select_related("customer").order_by("created_at", "pk")
    )
    return (
        Appointment.objects.filter(tenant=tenant).select_related(meetings.RELATION).prefetch_related(bookings)
    )


def _get_booking(request: HttpRequest, booking_id: int) -> Booking:
    return get_object_or_404(_bookings(tenant_of(request)), pk=booking_id)


def _with_history(request: HttpRequest, booking_id: int) -> Booking:
    """The booking with its changes (`BookingOut.changes`), newest first."""
    booking = _get_booking(request, booking_id)
    booking.change_history = list(booking.changes.select_related("by"))  # type: ignore[attr-defined]
    return booking


def _staff_of(tenant: Tenant, staff_id: int) -> Staff:
    return get_object_or_404(Staff.objects.filter(tenant=tenant), pk=staff_id)


def _service_of(tenant: Tenant, service_id: int | None) -> Service | None:
    if service_id is None:
        return None
    return get_object_or_404(Service.objects.filter(tenant=tenant), pk=service_id)


@router.post("/bookings", response={201: BookingOut, **BODY_ERRORS}, tags=["bookings"])
def create_booking(request: HttpRequest, payload: BookingIn):
    """Book a slot. 409 when it is not available (taken, full, outside hours); 422 when the request is
    invalid. With `staff_id` "any" (or left out) the service's assignment policy picks among the staff free
    then; the booking names whom, and `assigned_by` the policy."""
    answers = checked_answers(tenant_of(request), payload.service_id, payload.answers)
    if isinstance(payload.staff_id, str):  # ANY_STAFF, the one text the schema lets through
        booking = _book_anyone(tenant_of(request), payload, answers)
        booking.change_history = []  # type: ignore[attr-defined]  # new: nothing has changed yet
        return Status(201, booking)
    try:
        booking = services.book_by_ids(
            tenant_id=tenant_of(request).pk,
            service_id=payload.service_id,
            staff_id=payload.staff_id,
            start=payload.start,
            customer=services.CustomerDetails(**payload.customer.dict()),
            party_size=payload.party_size,
            notes=payload.notes,
            answers=answers,
        )
    except services.UnknownId as unknown:
        raise Http404(unknown.message) from None
    if booking.appointment.seats_taken == booking.party_size:
        _has_no_meeting_yet(booking.appointment)
    booking.change_history = []  # type: ignore[attr-defined]  # new: nothing has changed yet
    return Status(201, booking)


def _book_anyone(tenant: Tenant, payload: BookingIn, answers: list[dict[str, object]]) -> Booking:
    service = get_object_or_404(
        Service.objects.filter(tenant=tenant).select_related("tenant"), pk=payload.service_id
    )
    offering = list(service.staff.filter(is_active=True).order_by("name", "pk"))
    able = able_to_host(service, offering)
    if offering and not able:
        message = "Nobody who offers this service can host its video meeting now."
        raise services.BookingError("no_host", message, field="staff_id", conflict=True)
    booking = any_staff.book_any_available(
        service,
        able,
        payload.start,
        services.CustomerDetails(**payload.customer.dict()),
        party_size=payload.party_size,
        notes=payload.notes,
        answers=answers,
    )
    if booking.appointment.seats_taken == booking.party_size:
        _has_no_meeting_yet(booking.appointment)
    return booking


def _has_no_meeting_yet(appointment: Appointment) -> None:
    """Tell the response that this booking's new appointment has no meeting instead of letting it ask the
    database: meetings are made by a job after the booking commits."""
    appointment._state.fields_cache[meetings.RELATION] = None


@router.get("/bookings", response={200: list[BookingOut], **LIST_ERRORS}, tags=["bookings"])
@paginate(Pages)
def list_bookings(request: HttpRequest, filters: Query[BookingFilters]):
    """Bookings by their appointment's start: upcoming ones soonest first unless `when` asks for the past
    (latest first) or all (earliest first); dates filter on the appointment's start (UTC dates)."""
    bookings = timeline.bookings_in_time(tenant_of(request), timeline.When(filters.when), timezone.now())
    bookings = timeline.starting_on_days(bookings, filters.date_from, filters.date_to)
    if filters.status:
        bookings = bookings.filter(status=filters.status)
    if filters.customer_email:
        bookings = bookings.filter(customer__email__iexact=filters.customer_email)
    return bookings.select_related(f"appointment__{meetings.RELATION}", "customer")


@router.get("/bookings/{booking_id}", response={200: BookingOut, **ERRORS}, tags=["bookings"])
def get_booking(request: HttpRequest, booking_id: int):
    return _with_history(request, booking_id)


@router.post(
    "/bookings/{booking_id}/reschedule", response={200: BookingOut, **BODY_ERRORS}, tags=["bookings"]
)
def reschedule_booking(request: HttpRequest, booking_id: int, payload: RescheduleIn):
    booking = _get_booking(request, booking_id)
    tenant = tenant_of(request)
    staff = _staff_of(tenant, payload.staff_id) if payload.staff_id else None
    service = _service_of(tenant, payload.service_id)
    services.reschedule_booking(
        booking, start=payload.start, staff=staff, service=service, reason=payload.reason
    )
    return _with_history(request, booking_id)


@router.post("/bookings/{booking_id}/cancel", response={200: BookingOut, **BODY_ERRORS}, tags=["bookings"])
def cancel_booking(request: HttpRequest, booking_id: int, payload: ChangeIn | None = None):
    """Cancel the booking; the body (optional) may give the reason."""
    reason = payload.reason if payload is not None else ""
    services.cancel_booking(_get_booking(request, booking_id), reason=reason)
    return _with_history(request, booking_id)


@router.post("/bookings/{booking_id}/status", response={200: BookingOut, **BODY_ERRORS}, tags=["bookings"])
def set_booking_status(request: HttpRequest, booking_id: int, payload: StatusIn):
    services.set_status(_get_booking(request, booking_id), payload.status, reason=payload.reason)
    return _with_history(request, booking_id)


@router.get("/appointments", response={200: list[AppointmentOut], **LIST_ERRORS}, tags=["appointments"])
@paginate(Pages)
def list_appointments(request: HttpRequest, filters: Query[AppointmentFilters]):
    """Appointments, soonest first; dates filter on the start (UTC dates)."""
    appointments = _appointments(tenant_of(request)).order_by("start", "pk")
    return appointments.filter(timeline.starts_on_days(filters.date_from, filters.date_to))


@router.get("/appointments/{appointment_id}", response={200: AppointmentOut, **ERRORS}, tags=["appointments"])
def get_appointment(request: HttpRequest, appointment_id: int):
    return get_object_or_404(_appointments(tenant_of(request)), pk=appointment_id)


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response={200: AppointmentOut, **BODY_ERRORS},
    tags=["appointments"],
)
def reschedule_appointment(request: HttpRequest, appointment_id: int, payload: RescheduleIn):
    tenant = tenant_of(request)
    appointment = get_object_or_404(Appointment.objects.filter(tenant=tenant), pk=appointment_id)
    staff = _staff_of(tenant, payload.staff_id) if payload.staff_id else None
    service = _service_of(tenant, payload.service_id)
    services.reschedule_appointment(
        appointment, start=payload.start, staff=staff, service=service, reason=payload.reason
    )
    return get_object_or_404(_appointments(tenant), pk=appointment_id)
