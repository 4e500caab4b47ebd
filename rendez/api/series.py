"""Recurring series: book every occurrence at once, look, move or cancel "this and following" or all.

Each occurrence is an ordinary booking (the bookings endpoints change one occurrence alone); every write goes
through `scheduling.services`, in one transaction per request.
"""

# No `from __future__ import annotations`: ninja reads the annotations of the views at import.

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool, StrictInt

from rendez.api.answers import checked_answers
from rendez.api.auth import tenant_of
from rendez.api.booking_schemas import ANSWERS, ANSWERS_EXAMPLE, Answers, BookingOut, CustomerIn, CustomerOut
from rendez.api.errors import error_responses
from rendez.api.schemas import Id, Input, IsoDate, IsoDateTime
from rendez.conferencing import queries as meetings
from rendez.scheduling import services
from rendez.scheduling.models import SERIES_MAX_OCCURRENCES, Booking, Series
from rendez.scheduling.series import MAX_INTERVAL, Repeat
from rendez.tenants.models import Tenant

router = Router()
ERRORS = error_responses(401, 404, 409, 422)
BODY_ERRORS = error_responses(400, 401, 404, 409, 413, 422)


class RepeatIn(Input):
    frequency: Literal["daily", "weekly", "monthly"]
    interval: StrictInt = Field(
        1, ge=1, le=MAX_INTERVAL, description="Every `interval` days, weeks or months"
    )
    count: StrictInt | None = Field(
        None, ge=1, le=SERIES_MAX_OCCURRENCES, description="How many occurrences (give this or `until`)"
    )
    until: IsoDate | None = Field(
        None, description="The last day an occurrence may fall on, in the staff member's zone (or `count`)"
    )


class SeriesIn(Input):
    service_id: Id
    staff_id: Id
    start: IsoDateTime = Field(description="The first occurrence, ISO 8601 with a UTC offset")
    customer: CustomerIn
    repeat: RepeatIn
    partial: StrictBool = Field(
        False,
        description="false: all occurrences or none (409 naming the ones not available); true: book the free "
        "ones and list the rest in `skipped`",
    )
    party_size: StrictInt = Field(1, ge=1, le=1000)
    notes: str = Field("", max_length=2000)
    answers: Answers = Field(
        default_factory=dict,
        description=f"{ANSWERS}; kept with every occurrence",
        examples=[ANSWERS_EXAMPLE],
    )


class FromBookingIn(Input):
    from_booking_id: Id | None = Field(
        None, description="This occurrence and the following ones; left out: every coming occurrence"
    )


class SeriesMoveIn(Input):
    from_booking_id: Id | None = Field(
        None,
        description="The occurrence that moves to `start` (the following ones move as much); left out: "
        "the next coming occurrence, so the whole rest of the series moves",
    )
    start: IsoDateTime


class RepeatOut(Schema):
    frequency: str
    interval: int
    count: int | None
    until: str | None


class SkippedOut(Schema):
    start: datetime
    reason: str = Field(description="Why that date could not be booked, in words")
    code: str


class SeriesOut(Schema):
    id: int
    service_id: int
    staff_id: int
    customer: CustomerOut
    repeat: RepeatOut
    bookings: list[BookingOut]
    skipped: list[SkippedOut] = []


def _series_of(tenant: Tenant, series_id: int) -> Series:
    found = Series.objects.filter(tenant=tenant, pk=series_id).select_related("customer").first()
    if found is None:
        raise Http404("No such series.")
    return found


def _bookings_of(series: Series) -> list[Booking]:
    return list(
        Booking.objects.filter(series=series)
        .select_related(f"appointment__{meetings.RELATION}", "customer")
        .order_by("appointment__start", "pk")
    )


def _out(series: Series, bookings: list[Booking], skipped=()) -> dict:
    return {
        "id": series.pk,
        "service_id": series.service_id,
        "staff_id": series.staff_id,
        "customer": series.customer,
        "repeat": {
            "frequency": series.frequency,
            "interval": series.interval,
            "count": series.count,
            "until": series.until.isoformat() if series.until else None,
        },
        "bookings": bookings,
        "skipped": [{"start": item.start, "reason": item.message, "code": item.code} for item in skipped],
    }


@router.post("/series", response={201: SeriesOut, **BODY_ERRORS}, tags=["series"])
def create_series(request: HttpRequest, payload: SeriesIn):
    """Book a recurring series: every occurrence is checked as a single booking. 409 naming the dates not
    available (unless `partial`, or when none is); 422 for a rule that is not one or a service that takes no
    series."""
    repeat = payload.repeat
    answers = checked_answers(tenant_of(request), payload.service_id, payload.answers)
    try:
        outcome = services.book_series(
            tenant_id=tenant_of(request).pk,
            service_id=payload.service_id,
            staff_id=payload.staff_id,
            start=payload.start,
            customer=services.CustomerDetails(**payload.customer.dict()),
            repeat=Repeat(repeat.frequency, repeat.interval, count=repeat.count, until=repeat.until),
            partial=payload.partial,
            party_size=payload.party_size,
            notes=payload.notes,
            answers=answers,
        )
    except services.UnknownId as unknown:
        raise Http404(unknown.message) from None
    series = _series_of(tenant_of(request), outcome.series.pk)
    return Status(201, _out(series, _bookings_of(series), outcome.skipped))


@router.get("/series/{series_id}", response={200: SeriesOut, **ERRORS}, tags=["series"])
def get_series(request: HttpRequest, series_id: int):
    """A series with every occurrence, past and cancelled ones included, soonest first."""
    series = _series_of(tenant_of(request), series_id)
    return _out(series, _bookings_of(series))


@router.post("/series/{series_id}/cancel", response={200: SeriesOut, **BODY_ERRORS}, tags=["series"])
def cancel_series(request: HttpRequest, series_id: int, payload: FromBookingIn):
    """Cancel the coming occurrences: from `from_booking_id` on, or all. Occurrences that began stay as they
    are. Cancelling again changes nothing."""
    series = _series_of(tenant_of(request), series_id)
    start = _occurrence(series, payload.from_booking_id)
    services.cancel_series(series, from_booking=start)
    return _out(series, _bookings_of(series))


@router.post("/series/{series_id}/reschedule", response={200: SeriesOut, **BODY_ERRORS}, tags=["series"])
def reschedule_series(request: HttpRequest, series_id: int, payload: SeriesMoveIn):
    """Move an occurrence to `start` and every following one by the same wall-clock offset (in the staff
    member's zone). All or none: 409 naming the dates that cannot be had."""
    series = _series_of(tenant_of(request), series_id)
    booking = _occurrence(series, payload.from_booking_id) or _next_coming(series)
    services.reschedule_series(booking, start=payload.start)
    return _out(series, _bookings_of(series))


def _occurrence(series: Series, booking_id: int | None) -> Booking | None:
    if booking_id is None:
        return None
    booking = (
        Booking.objects.filter(tenant_id=series.tenant_id, pk=booking_id)
        .select_related("appointment__staff", "series")
        .first()
    )
    if booking is None:
        raise Http404("No such booking.")
    if booking.series_id != series.pk:
        raise services.BookingError(
            "not_in_series", "That booking is not part of this series.", field="from_booking_id"
        )
    return booking


def _next_coming(series: Series) -> Booking:
    coming = services.series_bookings(series)
    if not coming:
        raise services.BookingError("nothing_to_move", "This series has no coming occurrences left to move.")
    return get_object_or_404(Booking.objects.select_related("appointment__staff", "series"), pk=coming[0].pk)
