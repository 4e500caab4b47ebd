"""Recurring series in the panel: book one on behalf of a customer, see it from any of its occurrences (with
how far its meetings are), and cancel or move "this and following" or every date to come.

Writes go through `scheduling.services` (`book_series`, `cancel_series`, `reschedule_series`); a staff member
acts only on series whose occurrences they may see (`access.appointment_for`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rendez.conferencing.queries import MeetingsOfMany, meetings_of_many
from rendez.scheduling import services
from rendez.scheduling.models import SERIES_MAX_OCCURRENCES, Booking, Service, Staff
from rendez.scheduling.series import Repeat
from rendez.web.panel.access import Panel, appointment_for, panel_view, staff_for

THIS, FOLLOWING, ALL = "this", "following", "all"
FREQUENCIES = [("weekly", "Weekly"), ("daily", "Daily"), ("monthly", "Monthly")]


@dataclass(frozen=True)
class SeriesFacts:
    """What the drawer says of a booking's series."""

    booking: Booking
    rule: str
    position: int
    total: int
    coming: int
    meetings: MeetingsOfMany | None


def facts_for(bookings: list[Booking], *, video: bool) -> dict[int, SeriesFacts]:
    """For each booking of an appointment that is an occurrence of a series: its place in it and (for a video
    service) how far the series' meetings are."""
    found: dict[int, SeriesFacts] = {}
    for booking in bookings:
        series = booking.series
        if series is None:
            continue
        dates = list(
            Booking.objects.filter(series=series)
            .select_related("appointment")
            .order_by("appointment__start", "pk")
        )
        coming = services.series_bookings(series)
        appointment_ids = [item.appointment_id for item in dates if item.holds_seats]
        rule = Repeat(series.frequency, series.interval, series.count, series.until).describe()  # type: ignore[arg-type]
        found[booking.pk] = SeriesFacts(
            booking=booking,
            rule=rule,
            position=[item.pk for item in dates].index(booking.pk) + 1,
            total=len(dates),
            coming=len(coming),
            meetings=meetings_of_many(appointment_ids) if video else None,
        )
    return found


def _booking_in(panel: Panel, appointment_id: int, booking_id: int) -> Booking:
    item = appointment_for(panel, appointment_id)
    return get_object_or_404(
        item.bookings.select_related("customer", "series", "appointment__staff", "appointment__service"),
        pk=booking_id,
        series__isnull=False,
    )


def cancel_scope(booking: Booking, scope: str, *, reason: str = "", by: User | None = None) -> int:
    """Cancel `booking` and, per `scope`, the following dates of its series or every date to come, each
    with the reason given (kept in every booking's history)."""
    if scope == FOLLOWING and booking.series is not None:
        return len(services.cancel_series(booking.series, from_booking=booking, reason=reason, by=by))
    if scope == ALL and booking.series is not None:
        return len(services.cancel_series(booking.series, reason=reason, by=by))
    services.cancel_booking(booking, reason=reason, by=by)
    return 1


class MoveForm(forms.Form):
    start = forms.DateTimeField(
        label="New start of this date",
        help_text="In your time zone. The following dates move by as much.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


@require_POST
@panel_view()
def move_following(request: HttpRequest, panel: Panel, appointment_id: int, booking_id: int) -> HttpResponse:
    booking = _booking_in(panel, appointment_id, booking_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the new start as a date and time.")
        return redirect("panel:appointment", appointment_id)
    try:
        moved = services.reschedule_series(
            booking, start=form.cleaned_data["start"], by=cast(User, request.user)
        )
    except services.BookingError as error:
        messages.error(request, f"Nothing was moved: {error.message}")
        return redirect("panel:appointment", appointment_id)
    messages.success(
        request, f"{len(moved)} dates of {booking.customer.name}'s series moved; they are told once."
    )
    return redirect("panel:appointment", booking.appointment_id)


class SeriesForm(forms.Form):
    service = forms.ModelChoiceField(label="Service", queryset=Service.objects.none())
    staff = forms.ModelChoiceField(label="Staff member", queryset=Staff.objects.none())
    start = forms.DateTimeField(
        label="First date",
        help_text="In your time zone.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    frequency = forms.ChoiceField(label="Repeat", choices=FREQUENCIES)
    interval = forms.IntegerField(
        label="Every", min_value=1, max_value=52, initial=1, help_text="1: every week."
    )
    count = forms.IntegerField(
        label="Number of dates", min_value=2, max_value=SERIES_MAX_OCCURRENCES, initial=4
    )
    name = forms.CharField(label="Customer's name", max_length=200)
    email = forms.EmailField(label="Customer's email", max_length=254)
    partial = forms.BooleanField(
        label="Book the free dates if some are taken",
        required=False,
        help_text="Left off: all dates or none, and you see which are taken.",
    )

    def __init__(self, panel: Panel, *args, **kwargs):
        super().__init__(*args, **kwargs)
        services_field = cast(forms.ModelChoiceField, self.fields["service"])
        services_field.queryset = Service.objects.filter(
            tenant=panel.tenant, is_active=True, series_allowed=True
        ).order_by("name")
        cast(forms.ModelChoiceField, self.fields["staff"]).queryset = staff_for(panel).filter(is_active=True)


@panel_view()
def book(request: HttpRequest, panel: Panel) -> HttpResponse:
    """Book a series on behalf of a customer (phone bookings, a class pass sold at the desk)."""
    form = SeriesForm(panel, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.book_series(
                tenant_id=panel.tenant.pk,
                service_id=data["service"].pk,
                staff_id=data["staff"].pk,
                start=cast(datetime, data["start"]),
                customer=services.CustomerDetails(name=data["name"], email=data["email"]),
                repeat=Repeat(data["frequency"], data["interval"], count=data["count"]),
                partial=data["partial"],
            )
        except services.BookingError as error:
            form.add_error(None, error.message)
        else:
            skipped = f"; {len(outcome.skipped)} taken dates left out" if outcome.skipped else ""
            messages.success(
                request,
                f"{len(outcome.bookings)} dates booked for {data['name']}{skipped}. They get one message.",
            )
            return redirect("panel:appointment", outcome.bookings[0].appointment_id)
    status = 400 if form.errors else 200
    return render(request, "panel/series_new.html", {"panel": panel, "form": form}, status=status)
