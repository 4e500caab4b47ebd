"""The manage page every message links to (`/manage/<token>`): see, join, reschedule, cancel.

The token is the customer's key to this one booking. Changes go through `rendez.scheduling.services`, which
re-checks the calendar under its lock; the pages only offer what `rules.change_refusal` allows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from rendez.conferencing.models import Meeting
from rendez.conferencing.queries import meeting_coming, meeting_view
from rendez.scheduling import services
from rendez.scheduling.availability import Interval
from rendez.scheduling.calendars import find_slots
from rendez.scheduling.models import Booking
from rendez.web.customer import series
from rendez.web.customer.forms import DayForm, ReasonForm, SlotForm
from rendez.web.customer.rules import change_refusal, shows_video

DAYS_SHOWN = 7


def booking_for(token: str) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related(
            "tenant",
            "customer",
            "appointment__service",
            "appointment__staff",
            "appointment__meeting",
            "series",
        ),
        manage_token=token,
    )


def zone_of(booking: Booking) -> ZoneInfo:
    return ZoneInfo(booking.customer.timezone or booking.tenant.timezone)


def render_in_zone(request: HttpRequest, booking: Booking, template: str, context: dict, status: int = 200):
    zone = zone_of(booking)
    with timezone.override(zone):
        return render(request, template, {"booking": booking, "zone": zone, **context}, status=status)


def video_context(booking: Booking, now: datetime) -> dict:
    if not shows_video(booking, now):
        return {"video": False}
    view = meeting_view(booking.appointment, booking)
    ready = view is not None and view.ready
    return {
        "video": True,
        # Only a link, never the record's reasons: a meeting Zoom keeps refusing is said in a plain sentence.
        "meeting": view if ready else None,
        "meeting_delayed": not ready and view is not None and view.state == Meeting.State.RETRYING,
        "meeting_coming": not ready and meeting_coming(booking.appointment, booking),
    }


@never_cache
@require_http_methods(["GET"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_for(token)
    now = timezone.now()
    context = {
        "refusal": change_refusal(booking, now),
        "ended": booking.appointment.end <= now,
        "series_rule": series.rule_label(booking),
        "series_dates": series.occurrences(booking),
        **video_context(booking, now),
    }
    return render_in_zone(request, booking, "customer/manage.html", context)


@never_cache
@require_http_methods(["GET"])
def video(request: HttpRequest, token: str) -> HttpResponse:
    """The video part alone, polled by htmx while the meeting is being made."""
    booking = booking_for(token)
    return render_in_zone(request, booking, "customer/_video.html", video_context(booking, timezone.now()))


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_for(token)
    refusal = change_refusal(booking, timezone.now())
    if refusal is not None:
        messages.error(request, refusal)
        return redirect("customer:manage", token=token)
    now = timezone.now()
    if request.method == "POST":
        form = ReasonForm(request.POST)
        if not form.is_valid():
            context = {"reason_form": form, "scopes": series.scopes(booking, now)}
            return render_in_zone(request, booking, "customer/cancel.html", context, status=400)
        scope = request.POST.get("scope", series.THIS)
        try:
            count = series.cancel(
                booking, scope if scope in series.SCOPES else series.THIS, now, reason=form.given
            )
        except services.BookingError as error:
            messages.error(request, f"The booking could not be cancelled: {error.message}")
        else:
            what = "Your booking is cancelled" if count == 1 else f"{count} dates are cancelled"
            messages.success(request, f"{what}. A confirmation is on its way.")
        return redirect("customer:manage", token=token)
    context = {"reason_form": ReasonForm(), "scopes": series.scopes(booking, now)}
    return render_in_zone(request, booking, "customer/cancel.html", context)


@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_for(token)
    now = timezone.now()
    refusal = change_refusal(booking, now)
    if refusal is not None:
        messages.error(request, refusal)
        return redirect("customer:manage", token=token)
    if request.method == "POST":
        return move(request, booking, now)
    zone = zone_of(booking)
    today = now.astimezone(zone).date()
    first = DayForm(request.GET).first_day(today)
    context = {
        "form": DayForm(initial={"date": first}),
        "days": free_days(booking, first, zone, now),
        "first": first,
        "earlier": first - timedelta(days=DAYS_SHOWN) if first > today else None,
        "later": first + timedelta(days=DAYS_SHOWN),
    }
    return render_in_zone(request, booking, "customer/reschedule.html", context)


def move(request: HttpRequest, booking: Booking, now: datetime) -> HttpResponse:
    """A tapped time asks first (with room for a reason); the answer moves the booking."""
    form = SlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick one of the free times shown.")
        return redirect("customer:reschedule", token=booking.manage_token)
    start = form.cleaned_data["start"]
    reason = ReasonForm(request.POST) if request.POST.get("confirm") == "yes" else ReasonForm()
    if not reason.is_bound or not reason.is_valid():
        return _confirm_move(request, booking, start, reason, now)
    try:
        series.move(booking, start, request.POST.get("scope", series.THIS), now, reason=reason.given)
    except services.BookingError as error:
        messages.error(request, f"That time could not be booked: {error.message} Please pick another time.")
        return redirect("customer:reschedule", token=booking.manage_token)
    messages.success(request, "Your appointment is moved. A confirmation is on its way.")
    return redirect("customer:manage", token=booking.manage_token)


def _confirm_move(
    request: HttpRequest, booking: Booking, start: datetime, reason: ReasonForm, now: datetime
) -> HttpResponse:
    """The question before a move (with room for a reason, and for a series which dates), or the same again
    with what was wrong."""
    appointment = booking.appointment
    context = {
        "start": start,
        "new_start": start.astimezone(zone_of(booking)),
        "new_end": (start + (appointment.end - appointment.start)).astimezone(zone_of(booking)),
        "reason_form": reason,
        "scopes": [scope for scope in series.scopes(booking, now) if scope.value != series.ALL],
    }
    status = 400 if reason.errors else 200
    return render_in_zone(request, booking, "customer/reschedule_confirm.html", context, status=status)


def free_days(booking: Booking, first: date, zone: ZoneInfo, now: datetime) -> list[tuple[date, list]]:
    """Free starts with the booking's staff member in `DAYS_SHOWN` days from `first`, by local day."""
    appointment = booking.appointment
    window = Interval(
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(first + timedelta(days=DAYS_SHOWN), time.min, tzinfo=zone),
    )
    by_day: dict[date, list] = defaultdict(list)
    for _, slot in find_slots(appointment.service, [appointment.staff], window, now):
        if slot.seats_left >= booking.party_size and slot.start != appointment.start:
            by_day[slot.start.astimezone(zone).date()].append(slot)
    return sorted(by_day.items())
