"""Recurring series (docs/series.md): `services.book_series`, `services.cancel_series`,
`services.reschedule_series`.

A series is ordinary bookings carrying `series`: each occurrence is booked, moved and cancelled by the single
booking writers (`book`, `reschedule_booking`, `set_status`), all of them inside ONE transaction (the staff
lock, taken by the first, is held to the end), so "all or none" is atomic. `events.series_action` groups
their events into one message per person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from rendez.scheduling import events
from rendez.scheduling._booking_create import CustomerDetails, book, upsert_customer
from rendez.scheduling._booking_errors import BookingError, UnknownId
from rendez.scheduling._booking_moves import reschedule_booking
from rendez.scheduling._booking_status import set_status
from rendez.scheduling.models import Booking, Series, Service, Staff
from rendez.scheduling.series import Repeat, RepeatError, occurrences, shifted

Status = Booking.Status


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
