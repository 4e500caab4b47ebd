"""The public booking page of a tenant (`/book/<slug>/`): service → staff or "any available" → date and slot
in the visitor's zone → details → confirmation, where a video meeting's link appears as soon as it exists.

Slots come from `scheduling.calendars.find_slots`, as in the API; bookings are made by
`scheduling.services.book` only. Everything a stranger sends is parsed in `forms.py` first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms as django_forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from rendez.conferencing.choice import makes_meetings
from rendez.conferencing.hosting import able_to_host
from rendez.conferencing.models import Meeting
from rendez.conferencing.queries import MeetingView, meeting_coming, meeting_view
from rendez.lib.phones import region_of_zone
from rendez.notifications.context import manage_url
from rendez.notifications.ics import build_invitation, build_series_invitation
from rendez.notifications.moments import moment_now
from rendez.scheduling import any_staff, services
from rendez.scheduling.availability import Interval, Slot
from rendez.scheduling.calendars import find_slots
from rendez.scheduling.models import Booking, Service, Staff
from rendez.scheduling.questions import active_questions
from rendez.scheduling.services import BookingError, CustomerDetails
from rendez.tenants.models import Tenant
from rendez.web.booking import limits
from rendez.web.booking import series as booking_series
from rendez.web.booking.forms import (
    ZONE_COOKIE,
    DetailsForm,
    known_zone,
    parse_day,
    parse_start,
    zone_choices,
    zone_or,
)
from rendez.web.customer.series import occurrences as series_dates
from rendez.web.signup import verification

ANY = "any"
# How far ahead the time step looks for the first day with a free slot.
LOOKAHEAD_DAYS = 14
# The confirmation page polls about once a second; after this many polls it stops and says the link follows.
MAX_POLLS = 120
TAKEN = "That time was just taken. Please pick another one."


# --- steps ------------------------------------------------------------------------------------------------


@require_GET
def choose_service(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = _tenant(slug)
    offered = Service.objects.filter(tenant=tenant, is_active=True, staff__is_active=True).distinct()
    # A video service nobody can host now is not offered: its customer would get no link.
    bookable = [
        service for service in offered.order_by("name") if not makes_meetings(service) or _offering(service)
    ]
    return render(request, "booking/services.html", {"tenant": tenant, "services": bookable})


@require_GET
def choose_staff(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    tenant = _tenant(slug)
    service = _service(tenant, service_id)
    staff = _offering(service)
    if not staff:
        raise Http404("Nobody offers this service.")
    context = {"tenant": tenant, "service": service, "staff": staff}
    return render(request, "booking/staff.html", context)


@require_GET
def choose_time(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    tenant = _tenant(slug)
    service = _service(tenant, service_id)
    return _time_page(request, tenant, service, request.GET)


@require_GET
def slots(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    """The free times of one day: the fragment the time step swaps in as the date or zone changes."""
    tenant = _tenant(slug)
    service = _service(tenant, service_id)
    zone = _visitor_zone(request, request.GET, tenant)
    context = _times_context(tenant, service, request.GET, zone, app=_app(request))
    return render(request, "booking/_slots.html", context)


@require_http_methods(["GET", "POST"])
def details(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    tenant = _tenant(slug)
    service = _service(tenant, service_id)
    query = request.GET if request.method == "GET" else request.POST
    zone = _visitor_zone(request, query, tenant)
    asked = _start_or_none(query.get("start"))
    if asked is None:
        return redirect(_time_url(tenant, service, query, zone, app=_app(request)))
    choice = query.get("staff") or ANY
    seats = _seats_left(choice, service, _candidates(service, choice), asked)
    if request.method == "GET":
        initial = {"staff": query.get("staff", ""), "start": query.get("start", ""), "tz": str(zone)}
        form = DetailsForm(
            initial=initial, seats=seats, questions=active_questions(service), series=service.series_allowed
        )
        return _details_page(request, tenant, service, form, asked, zone)
    form = DetailsForm(
        request.POST,
        region=region_of_zone(tenant.timezone),
        seats=seats,
        questions=active_questions(service),
        series=service.series_allowed,
    )
    if not form.is_valid():
        return _details_page(request, tenant, service, form, asked, zone)
    data = form.cleaned_data
    candidates = _candidates(service, data["staff"])
    customer = CustomerDetails(
        name=data["name"], email=data["email"], phone=data["phone"], timezone=str(zone)
    )
    repeat = booking_series.repeat_of(form) if service.series_allowed else None
    try:
        # Asking which dates of a series to book books nothing: only a decision counts.
        booking_now = repeat is None or bool(form.cleaned_data.get("decision"))
        with limits.counted_booking(request, tenant) if booking_now else nullcontext():
            if repeat is not None:
                return booking_series.book_or_ask(
                    request, tenant, service, form, candidates, customer, repeat, zone
                )
            booking = _book(service, candidates, data, customer, form.party_size, form.answers)
    except limits.TooManyBookings:
        form.add_error(None, limits.REFUSAL)
        response = _details_page(request, tenant, service, form, data["start"], zone, status=429)
        response["Retry-After"] = str(int(limits.WINDOW.total_seconds()))
        return response
    except BookingError as error:
        if repeat is not None:
            form.add_error("repeat", error.message)
            return _details_page(request, tenant, service, form, data["start"], zone)
        if error.conflict:
            day = data["start"].astimezone(zone).date().isoformat()
            again = {"staff": data["staff"], "tz": str(zone), "date": day}
            return _time_page(request, tenant, service, again, notice=TAKEN, status=409)
        form.add_error(None, error.message)
        return _details_page(request, tenant, service, form, data["start"], zone)
    done = reverse("booking:done", args=[tenant.slug, booking.manage_token], current_app=_app(request))
    return redirect(f"{done}?{urlencode({'tz': str(zone)})}")


def _book(
    service: Service,
    candidates: list[Staff],
    data: dict,
    customer: CustomerDetails,
    party_size: int,
    answers: Sequence[Mapping[str, object]],
) -> Booking:
    """With "any available", the service's policy picks who; otherwise the one chosen takes it."""
    if data["staff"] == ANY:
        return any_staff.book_any_available(
            service,
            candidates,
            data["start"],
            customer,
            party_size=party_size,
            notes=data["notes"],
            answers=answers,
        )
    return services.book(
        service=service,
        staff=candidates[0],
        start=data["start"],
        customer=customer,
        party_size=party_size,
        notes=data["notes"],
        answers=answers,
    )


@require_GET
def done(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    tenant = _tenant(slug)
    booking = _booking(tenant, token)
    zone = _zone_of(request, booking)
    appointment = booking.appointment
    context = {
        "tenant": tenant,
        "booking": booking,
        "service": appointment.service,
        "when": _when(appointment.start, appointment.end, zone),
        "zone": zone,
        # Cancelled or declined: the page says so and offers nothing to put in a calendar.
        "ended_by_status": booking.status in (Booking.Status.CANCELLED, Booking.Status.REJECTED),
        "manage_url": f"/manage/{booking.manage_token}",
        "series_dates": [
            (_when(b.appointment.start, b.appointment.end, zone), b) for b in series_dates(booking)
        ],
        **_meeting_context(booking, polls=0, zone=zone, app=_app(request)),
    }
    context["google_url"] = _google_calendar_url(booking, context.get("meeting"))
    return render(request, "booking/done.html", context)


@require_GET
def meeting(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The confirmation page's meeting fragment; it polls itself until the link is there or will not come."""
    tenant = _tenant(slug)
    booking = _booking(tenant, token)
    try:
        polls = min(int(request.GET.get("n", "0")), MAX_POLLS)
    except ValueError:
        polls = MAX_POLLS
    context = {
        "tenant": tenant,
        "booking": booking,
        **_meeting_context(booking, polls, _zone_of(request, booking), app=_app(request)),
    }
    if context.get("meeting") is not None:
        # The link has just come: the page's Google Calendar button is swapped for one that carries it.
        context["google_url"] = _google_calendar_url(booking, context["meeting"])
        context["swap_google_url"] = True
    return render(request, "booking/_meeting.html", context)


@require_GET
def calendar_file(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    tenant = _tenant(slug)
    booking = _booking(tenant, token)
    dates = [item for item in series_dates(booking) if item.holds_seats] if booking.series_id else []
    if len(dates) > 1:
        # A series: every date still booked, one VEVENT each (notifications/ics.py).
        ics, method = build_series_invitation(
            [(item, moment_now(item)) for item in dates], _zone_of(request, booking)
        )
    else:
        ics, method = build_invitation(booking, _zone_of(request, booking))
    response = HttpResponse(ics, content_type=f"text/calendar; charset=utf-8; method={method}")
    response["Content-Disposition"] = 'attachment; filename="booking.ics"'
    return response


# --- lookups ----------------------------------------------------------------------------------------------


def _tenant(slug: str) -> Tenant:
    tenant = get_object_or_404(Tenant, slug=slug, is_active=True)
    # A business that signed itself up is public once its owner confirmed the email (rendez/web/signup/).
    if not verification.booking_page_open(tenant):
        raise Http404("This booking page is not open yet.")
    return tenant


def _service(tenant: Tenant, service_id: int) -> Service:
    service = get_object_or_404(Service.objects.filter(tenant=tenant, is_active=True), pk=service_id)
    # The tenant's row in hand: its `has_calendars` says whether slots read busy blocks (`_slots_of`).
    service.tenant = tenant
    return service


def _offering(service: Service) -> list[Staff]:
    """The staff the public page offers for `service`: active, and for a video service while its integration
    is on, only those who can host a meeting now (the customer of anyone else would get no link), unless the
    business chose to offer them anyway (the link then follows once they connect)."""
    return able_to_host(service, list(service.staff.filter(is_active=True).order_by("name", "pk")))


def _candidates(service: Service, choice: str) -> list[Staff]:
    """The staff a visitor's choice stands for: everyone offering the service, or the one named."""
    offering = _offering(service)
    chosen = offering if choice == ANY else [member for member in offering if str(member.pk) == choice]
    if not chosen:
        raise Http404("Nobody offers this service.")
    return chosen


def _app(request: HttpRequest) -> str | None:
    """The instance of the booking page serving `request`: "booking", or "booking_embed" in a website's frame
    (rendez/web/booking/embed.py). The links a step makes stay in it, as `{% url %}` in its templates does."""
    return request.resolver_match.namespace if request.resolver_match else None


def _booking(tenant: Tenant, token: str) -> Booking:
    related = ("appointment__service", "appointment__staff", "appointment__meeting", "customer", "tenant")
    return get_object_or_404(Booking.objects.select_related(*related), tenant=tenant, manage_token=token)


def _visitor_zone(request: HttpRequest, query, tenant: Tenant) -> ZoneInfo:
    """The zone a step shows its times in: the one it was asked in, else the browser's (the cookie
    booking.js sets), else the business's."""
    return zone_or(known_zone(query.get("tz")) or request.COOKIES.get(ZONE_COOKIE), tenant.timezone)


def _zone_known(request: HttpRequest, query) -> bool:
    return bool(known_zone(query.get("tz")) or known_zone(request.COOKIES.get(ZONE_COOKIE)))


def _zone_of(request: HttpRequest, booking: Booking) -> ZoneInfo:
    return zone_or(request.GET.get("tz") or booking.customer.timezone, booking.tenant.timezone)


def _start_or_none(value: str | None) -> datetime | None:
    try:
        return parse_start(value)
    except django_forms.ValidationError:
        return None


# --- slots ------------------------------------------------------------------------------------------------


def _day_window(day: date, zone: ZoneInfo) -> Interval:
    return Interval(
        datetime.combine(day, time.min, tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    )


def _slots_of(
    choice: str, service: Service, staff: list[Staff], window: Interval, now: datetime
) -> list[tuple[Staff, Slot]]:
    """The free slots of the visitor's choice; "any available" leaves out staff at their daily or weekly
    cap, whom it would not assign."""
    find = any_staff.free_slots if choice == ANY else find_slots
    return find(service, staff, window, now, service.tenant.has_calendars)


def _day_slots(
    choice: str, service: Service, staff: list[Staff], zone: ZoneInfo, now: datetime, asked: date | None
) -> tuple[date, list[tuple[Staff, Slot]]]:
    """The asked day and its slots; without one, the first day with any (today when none is free soon), read
    by one search of the days ahead rather than one to find the day and another for its slots."""
    if asked is not None:
        return asked, _slots_of(choice, service, staff, _day_window(asked, zone), now)
    today = now.astimezone(zone).date()
    window = Interval(
        _day_window(today, zone).start, _day_window(today + timedelta(LOOKAHEAD_DAYS), zone).end
    )
    found = _slots_of(choice, service, staff, window, now)
    if not found:
        return today, []
    day = found[0][1].start.astimezone(zone).date()
    return day, [(member, slot) for member, slot in found if slot.start.astimezone(zone).date() == day]


def _seats_left(choice: str, service: Service, staff: list[Staff], start: datetime) -> int:
    """The most seats one booking may take at `start`: what is left of the fullest-free candidate's slot."""
    if service.capacity <= 1:
        return 1
    window = Interval(start, start + timedelta(minutes=1))
    left = [
        slot.seats_left
        for _, slot in _slots_of(choice, service, staff, window, timezone.now())
        if slot.start == start
    ]
    return max(left, default=1)


def _times_context(tenant: Tenant, service: Service, query, zone: ZoneInfo, *, app: str | None) -> dict:
    """The free times of the asked day (default: the first day with any) for the chosen staff, in `zone`."""
    choice = query.get("staff") or ANY
    staff = _candidates(service, choice)
    now = timezone.now()
    today = now.astimezone(zone).date()
    day, found = _day_slots(
        choice, service, staff, zone, now, parse_day(query.get("date"), today, service.horizon_days)
    )
    # Several staff free at one time are one choice for the visitor; who takes it is settled at booking.
    starts = sorted({slot.start for _, slot in found})
    details_url = reverse("booking:details", args=[tenant.slug, service.pk], current_app=app)
    times = [
        {
            "label": start.astimezone(zone).strftime("%H:%M"),
            "url": f"{details_url}?{urlencode({'staff': choice, 'start': start.isoformat(), 'tz': zone})}",
        }
        for start in starts
    ]
    return {
        "tenant": tenant,
        "service": service,
        "choice": choice,
        "chosen_name": staff[0].name if choice != ANY else "",
        "zone": str(zone),
        "day": day,
        "day_label": _day_label(day),
        "min_day": (today - timedelta(days=1)).isoformat(),
        "max_day": (today + timedelta(days=service.horizon_days)).isoformat(),
        "times": times,
    }


def _time_page(
    request: HttpRequest, tenant: Tenant, service: Service, query, *, notice: str = "", status: int = 200
) -> HttpResponse:
    zone = _visitor_zone(request, query, tenant)
    context = _times_context(tenant, service, query, zone, app=_app(request))
    context.update(notice=notice, zones=zone_choices(), detect_zone=not _zone_known(request, query))
    return render(request, "booking/time.html", context, status=status)


def _time_url(
    tenant: Tenant, service: Service, query, zone: ZoneInfo, day: date | None = None, *, app: str | None
) -> str:
    """The time step as the visitor left it: their staff choice, zone and day."""
    url = reverse("booking:time", args=[tenant.slug, service.pk], current_app=app)
    keep = {"staff": query.get("staff") or ANY, "tz": str(zone)}
    if day is not None:
        keep["date"] = day.isoformat()
    return f"{url}?{urlencode(keep)}"


# --- booking ----------------------------------------------------------------------------------------------


def _details_page(
    request: HttpRequest,
    tenant: Tenant,
    service: Service,
    form: DetailsForm,
    start: datetime,
    zone: ZoneInfo,
    *,
    status: int = 200,
) -> HttpResponse:
    query = form.data if form.is_bound else form.initial
    choice = query.get("staff") or ANY
    staff = _candidates(service, choice)
    context = {
        "tenant": tenant,
        "service": service,
        "form": form,
        # Who takes an "any available" booking is settled when it is made.
        "staff_name": staff[0].name if choice != ANY else "our team",
        "when": _when(start, start + service.duration, zone),
        "back_url": _time_url(tenant, service, query, zone, start.astimezone(zone).date(), app=_app(request)),
    }
    return render(request, "booking/details.html", context, status=status)


# --- confirmation -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    day: str
    start: str
    end: str
    zone: str


def _when(start: datetime, end: datetime, zone: ZoneInfo) -> When:
    local = start.astimezone(zone)
    return When(
        _day_label(local.date()), local.strftime("%H:%M"), end.astimezone(zone).strftime("%H:%M"), str(zone)
    )


def _day_label(day: date) -> str:
    return f"{day:%A}, {day.day} {day:%B %Y}"


def _meeting_context(booking: Booking, polls: int, zone: ZoneInfo, *, app: str | None) -> dict:
    """What the meeting part says: nothing (no video), the link, "being prepared" (poll again), that the
    provider keeps failing (in a plain sentence: its words are not the customer's), that the link follows by
    email, or that a booking holding no seat has no meeting."""
    appointment = booking.appointment
    if not makes_meetings(appointment.service):
        return {"video": False}
    view = meeting_view(appointment, booking)
    if view is not None and view.ready:
        state = "ready"
    elif not booking.holds_seats:
        state = "none"
    elif view is not None and view.state == Meeting.State.RETRYING:
        state = "delayed"
    elif polls < MAX_POLLS and meeting_coming(appointment, booking):
        state = "coming"
    else:
        state = "later"
    poll_url = reverse("booking:meeting", args=[booking.tenant.slug, booking.manage_token], current_app=app)
    return {
        "video": True,
        "meeting_state": state,
        # Only a link: the record's reasons are not the customer's to read.
        "meeting": view if state == "ready" else None,
        "poll_url": f"{poll_url}?{urlencode({'n': polls + 1, 'tz': str(zone)})}",
    }


def _google_calendar_url(booking: Booking, meeting: MeetingView | None = None) -> str:
    """An "add to Google Calendar" link; with the meeting's join link (and passcode) once there is one."""
    appointment = booking.appointment
    stamp = "%Y%m%dT%H%M%SZ"
    start = appointment.start.astimezone(ZoneInfo("UTC"))
    end = appointment.end.astimezone(ZoneInfo("UTC"))
    service = appointment.service
    lines = [f"{service.name} at {booking.tenant.name}."]
    if meeting is not None and meeting.join_url:
        lines.append(f"Join the video meeting: {meeting.join_url}")
        if meeting.password:
            lines.append(f"Passcode: {meeting.password}")
    lines.append(f"Manage your booking: {manage_url(booking)}")
    params = {
        "action": "TEMPLATE",
        "text": f"{service.name} with {appointment.staff.name}",
        "dates": f"{start.strftime(stamp)}/{end.strftime(stamp)}",
        "details": "\n".join(lines),
    }
    if meeting is not None and meeting.join_url:
        params["location"] = meeting.join_url
    elif not makes_meetings(service) and booking.tenant.address:
        params["location"] = booking.tenant.address
    return "https://calendar.google.com/calendar/render?" + urlencode(params)
