"""The tenant panel's pages: dashboard, appointments (list, details), and what can be done to one.

Bookings change only through `rendez.scheduling.services`; a refusal (`BookingError`) is shown on the form it
came from, in its own words.

The details shown in a drawer (asked by htmx) post their forms with htmx too: the answer is the refreshed
details fragment, with an `HX-Trigger` naming the appointment (`appointment-changed`) so the page around can
refresh its event. Without htmx every action answers as before: a redirect to the details page.
"""

from __future__ import annotations

import json
from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rendez.conferencing import start
from rendez.conferencing.choice import makes_meetings
from rendez.conferencing.models import Meeting, RetiredMeeting
from rendez.conferencing.port import MeetingGone, ProviderError
from rendez.conferencing.queries import meeting_record
from rendez.scheduling import events, services
from rendez.scheduling.changes import REASON_MAX
from rendez.scheduling.models import Appointment, Booking, BookingChange, Service
from rendez.web.panel import markup, queries, sections
from rendez.web.panel import series as panel_series
from rendez.web.panel.access import Panel, appointment_for, panel_view, staff_for
from rendez.web.panel.forms import STAFF_REASON_HELP, AppointmentFilterForm, RescheduleForm, StatusForm
from rendez.web.panel.meetings import links_of, old_meetings_of, status_of
from rendez.web.panel.onboarding.dashboard import dashboard_context

# Appointments per page of the list (the API's default page too).
PAGE_SIZE = 50
MAX_PAGE = 10_000
CHANGED_EVENT = "appointment-changed"
# What a retry does depends on what the meeting was doing: said so, not "made again" for a delete.
RETRY_NOTICE = "The meeting is being made again; this page shows the outcome shortly."
RETRY_NOTICES: dict[str, str] = {
    Meeting.State.RETRYING: "Rendez is trying again now; this page shows the outcome shortly.",
    Meeting.State.LEFT_ON_ZOOM: (
        "Rendez is trying again to delete the meeting from Zoom; this page shows the outcome shortly."
    ),
}


@panel_view()
def home(request: HttpRequest, panel: Panel) -> HttpResponse:
    return redirect("panel:dashboard" if panel.is_admin else "panel:appointments")


def left_on(rows: list[RetiredMeeting]) -> str:
    """The one provider the listed meetings are left on ("Zoom"), or "" when they are on several."""
    labels = {row.provider_label for row in rows}
    return labels.pop() if len(labels) == 1 else ""


@panel_view(admin_only=True)
def dashboard(request: HttpRequest, panel: Panel) -> HttpResponse:
    now = timezone.now()
    today, upcoming = queries.today_and_upcoming(panel, now)
    left = queries.meetings_left(panel)
    context = {
        "panel": panel,
        "today": markup.rows(today, is_admin=panel.is_admin),
        "upcoming": markup.rows(upcoming, is_admin=panel.is_admin),
        "troubled": queries.troubled_meetings(panel, now),
        "left": left[: queries.LEFT_SHOWN],
        "more_left": len(left) > queries.LEFT_SHOWN,
        "left_on": left_on(left[: queries.LEFT_SHOWN]),
        "notices": [
            (notice.template, values)
            for notice in sections.dashboard_notices()
            if (values := notice.context(panel.tenant)) is not None
        ],
        **dashboard_context(panel.tenant),
    }
    return render(request, "panel/dashboard.html", context)


@panel_view()
def appointments(request: HttpRequest, panel: Panel) -> HttpResponse:
    form = AppointmentFilterForm(staff_for(panel), request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = _page_asked(request)
    # One row more than a page says whether there is a next one, without counting the whole list.
    first = (page - 1) * PAGE_SIZE
    found = list(queries.filtered(panel, filters, timezone.now())[first : first + PAGE_SIZE + 1])
    context = {
        "panel": panel,
        "form": form,
        "rows": markup.rows(found[:PAGE_SIZE], is_admin=panel.is_admin),
        "page": page,
        "previous_page": _page_link(request, page - 1) if page > 1 else None,
        "next_page": _page_link(request, page + 1) if len(found) > PAGE_SIZE else None,
    }
    return render(request, "panel/appointments.html", context)


def _page_asked(request: HttpRequest) -> int:
    """The page asked for (`?page=`, from 1); anything else is the first. Bounded, as the API's pages are."""
    asked = request.GET.get("page", "")
    return min(int(asked), MAX_PAGE) if asked.isdigit() and int(asked) >= 1 else 1


def _page_link(request: HttpRequest, page: int) -> str:
    """The list's address for `page`, keeping the filters."""
    query = request.GET.copy()
    query["page"] = str(page)
    return f"?{query.urlencode()}"


@panel_view()
def appointment(request: HttpRequest, panel: Panel, appointment_id: int) -> HttpResponse:
    return _details(request, panel, appointment_for(panel, appointment_id))


def _confirmation(booking: Booking, status: str | None) -> dict[str, str] | None:
    """What to ask before `status` ends `booking`, or None."""
    if status is None:
        return None
    verb = "Cancel" if status == Booking.Status.CANCELLED else "Reject"
    return {
        "status": status,
        "question": f"{verb} {booking.customer.name}'s booking?",
        "consequence": f"{booking.customer.name} is told at once; this cannot be undone.",
        "confirm": f"Yes, {verb.lower()} it",
    }


def services_for(panel: Panel) -> QuerySet[Service]:
    """The services an appointment of this business can be changed to."""
    return Service.objects.filter(tenant=panel.tenant, is_active=True).order_by("name")


def _details(
    request: HttpRequest, panel: Panel, item: Appointment, notice: str = "", **forms
) -> HttpResponse:
    now = timezone.now()
    history = Prefetch("changes", queryset=BookingChange.objects.select_related("by"))
    bookings = list(
        item.bookings.select_related("customer", "series")
        .prefetch_related(history)
        .order_by("created_at", "pk")
    )
    holding = [b for b in bookings if b.holds_seats]
    reschedule = forms.get("reschedule") or RescheduleForm(
        staff_for(panel),
        services_for(panel),
        initial={"start": timezone.localtime(item.start), "staff": item.staff_id, "service": item.service_id},
    )
    status_forms = forms.get("status_forms", {})
    confirming = forms.get("confirming", {})
    old_meetings = list(old_meetings_of(item))
    replacing = any(old.state == RetiredMeeting.State.RETIRING for old in old_meetings)
    status = status_of(item, replacing=replacing)
    context = {
        "panel": panel,
        "appointment": item,
        "meeting": status.view if status else None,
        "status": status,
        "old_meetings": old_meetings,
        "links": links_of(item),
        "can_start": item.end > now,
        "can_move": bool(holding) and item.end > now,
        "bookings": [
            (b, status_forms.get(b.pk) or StatusForm(b), _confirmation(b, confirming.get(b.pk)))
            for b in bookings
        ],
        "reschedule": reschedule,
        "reason_max": REASON_MAX,
        "reason_help": STAFF_REASON_HELP,
        "series": panel_series.facts_for(bookings, video=makes_meetings(item.service)),
        "move_following": panel_series.MoveForm(initial={"start": timezone.localtime(item.start)}),
        "in_drawer": _htmx(request),
        "notice": notice,
    }
    # Asked by htmx (a drawer), the details come without the page around them; a refusal is swapped in too
    # (htmx swaps only 2xx answers), the form showing it in words.
    if _htmx(request):
        return render(request, "panel/_appointment.html", context)
    refused = any(name != "confirming" for name in forms)  # a confirmation asked for is no error
    return render(request, "panel/appointment.html", context, status=400 if refused else 200)


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _changed(request: HttpRequest, panel: Panel, item: Appointment, notice: str) -> HttpResponse:
    """After a change: the refreshed details fragment for htmx, the details page (redirect) otherwise."""
    if not _htmx(request):
        messages.success(request, notice)
        return redirect("panel:appointment", item.pk)
    response = _details(request, panel, appointment_for(panel, item.pk), notice=notice)
    response["HX-Trigger"] = json.dumps({CHANGED_EVENT: {"id": item.pk}})
    return response


@never_cache
@panel_view()
def start_meeting(request: HttpRequest, panel: Panel, appointment_id: int) -> HttpResponse:
    """Fetch a fresh host link and go there: the page opens in a new tab from the START MEETING button."""
    item = appointment_for(panel, appointment_id)
    try:
        url = start.start_url(item)
    except start.StartRefused as refused:
        return _cannot_start(request, panel, item, refused.refusal.message)
    except MeetingGone as error:
        return _cannot_start(request, panel, item, f"{error.reason} Retry the meeting to make a new one.")
    except ProviderError as error:
        again = " Try again in a moment." if error.retryable else ""
        reason = f"The video provider did not hand out a start link: {error.reason}.{again}"
        return _cannot_start(request, panel, item, reason)
    response = redirect(url)
    response["Cache-Control"] = "no-store"
    return response


def _cannot_start(request: HttpRequest, panel: Panel, item: Appointment, reason: str) -> HttpResponse:
    context = {"panel": panel, "appointment": item, "reason": reason}
    return render(request, "panel/cannot_start.html", context, status=409)


@require_POST
@panel_view()
def retry_meeting(request: HttpRequest, panel: Panel, appointment_id: int) -> HttpResponse:
    item = appointment_for(panel, appointment_id)
    with transaction.atomic():
        events.appointment_changed(item)
    meeting = meeting_record(item)
    notice = RETRY_NOTICES.get(meeting.state, RETRY_NOTICE) if meeting else RETRY_NOTICE
    return _changed(request, panel, item, notice)


@require_POST
@panel_view()
def reschedule(request: HttpRequest, panel: Panel, appointment_id: int) -> HttpResponse:
    item = appointment_for(panel, appointment_id)
    form = RescheduleForm(staff_for(panel), services_for(panel), request.POST)
    if form.is_valid():
        try:
            services.reschedule_appointment(
                item,
                start=form.new_start,
                staff=form.cleaned_data["staff"],
                service=form.cleaned_data["service"],
                reason=form.cleaned_data["reason"],
                by=_person(request),
            )
        except services.BookingError as error:
            fields = {"start": "start", "staff_id": "staff", "service_id": "service", "reason": "reason"}
            field = fields.get(error.field or "")
            form.add_error(field, error.message)
        else:
            return _changed(request, panel, item, "The appointment was moved; everyone booked is told.")
    return _details(request, panel, item, reschedule=form)


@require_POST
@panel_view()
def cancel(request: HttpRequest, panel: Panel, appointment_id: int, booking_id: int) -> HttpResponse:
    return _change_status(request, panel, appointment_id, booking_id, Booking.Status.CANCELLED)


@require_POST
@panel_view()
def set_status(request: HttpRequest, panel: Panel, appointment_id: int, booking_id: int) -> HttpResponse:
    return _change_status(request, panel, appointment_id, booking_id, request.POST.get("status", ""))


# Statuses that end a booking: asked for once more before they are set (the customer is told at once).
ENDING = frozenset({Booking.Status.CANCELLED, Booking.Status.REJECTED})


def _change_status(
    request: HttpRequest, panel: Panel, appointment_id: int, booking_id: int, status: str
) -> HttpResponse:
    item = appointment_for(panel, appointment_id)
    booking = get_object_or_404(item.bookings.select_related("customer", "series"), pk=booking_id)
    form = StatusForm(booking, {"status": status})
    if form.is_valid() and status in ENDING and request.POST.get("confirmed") != "1":
        return _details(request, panel, item, confirming={booking.pk: status})
    scope = request.POST.get("scope", panel_series.THIS)
    if form.is_valid() and status == Booking.Status.CANCELLED and scope != panel_series.THIS:
        try:
            count = panel_series.cancel_scope(
                booking, scope, reason=request.POST.get("reason", ""), by=_person(request)
            )
        except services.BookingError as error:
            form.add_error("status", error.message)
        else:
            notice = f"{count} dates of {booking.customer.name}'s series are cancelled; they are told once."
            return _changed(request, panel, item, notice)
    elif form.is_valid():
        try:
            services.set_status(booking, status, reason=request.POST.get("reason", ""), by=_person(request))
        except services.BookingError as error:
            form.add_error("status", error.message)
        else:
            label = Booking.Status(status).label.lower()
            return _changed(request, panel, item, f"{booking.customer.name}'s booking is now {label}.")
    return _details(request, panel, item, status_forms={booking.pk: form})


def _person(request: HttpRequest) -> User:
    """The signed-in person making a change (every panel view is behind a sign-in)."""
    return cast(User, request.user)
