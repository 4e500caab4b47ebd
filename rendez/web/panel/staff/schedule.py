"""Working hours and time off: an admin edits anyone's of their business (`/panel/staff/<id>/…`), a staff
member their own (`/panel/staff/me/…`); another staff member's answers 404 and changes nothing.

Hours and time off change only through `scheduling.catalog`, which logs who changed what for the admins'
"Recent changes". Time off over booked appointments is not added silently: the page lists them and asks
whether to keep them or cancel them, and cancelling goes through `scheduling.services` (customers are told).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rendez.scheduling import catalog, services
from rendez.scheduling.models import Appointment, Booking, Staff
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.staff import views
from rendez.web.panel.staff.forms import HoursForm, TimeOffForm

KEEP, CANCEL = "keep", "cancel"


@require_POST
@panel_view(admin_only=True)
def staff_hours(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    return _save_hours(request, panel, views.member_of(panel, staff_id))


@require_POST
@panel_view()
def staff_me_hours(request: HttpRequest, panel: Panel) -> HttpResponse:
    return _save_hours(request, panel, views.own(panel))


@require_POST
@panel_view(admin_only=True)
def staff_time_off_add(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    return _add_time_off(request, panel, views.member_of(panel, staff_id))


@require_POST
@panel_view()
def staff_me_time_off_add(request: HttpRequest, panel: Panel) -> HttpResponse:
    return _add_time_off(request, panel, views.own(panel))


@require_POST
@panel_view(admin_only=True)
def staff_time_off_remove(
    request: HttpRequest, panel: Panel, staff_id: int, time_off_id: int
) -> HttpResponse:
    return _remove_time_off(request, panel, views.member_of(panel, staff_id), time_off_id)


@require_POST
@panel_view()
def staff_me_time_off_remove(request: HttpRequest, panel: Panel, time_off_id: int) -> HttpResponse:
    return _remove_time_off(request, panel, views.own(panel), time_off_id)


def _save_hours(request: HttpRequest, panel: Panel, member: Staff) -> HttpResponse:
    form = HoursForm(request.POST)
    if form.is_valid():
        try:
            catalog.set_working_hours(member, form.intervals(), by=views.viewer(request))
        except catalog.CatalogError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{_whose(panel, member)} working hours were saved.")
            return redirect(views.page_url(panel, member))
    return views.page(request, panel, member, hours=form)


def _add_time_off(request: HttpRequest, panel: Panel, member: Staff) -> HttpResponse:
    """Without a decision, time off over booked appointments is not added: the answer lists them and asks."""
    form = TimeOffForm(request.POST)
    if not form.is_valid():
        return views.page(request, panel, member, time_off=form)
    data, decision = form.cleaned_data, request.POST.get("decision", "")
    booked = catalog.booked_during(member, data["start"], data["end"])
    if booked and decision not in (KEEP, CANCEL):
        return _ask(request, panel, member, form, booked)
    try:
        catalog.add_time_off(
            member, start=data["start"], end=data["end"], reason=data["reason"], by=views.viewer(request)
        )
    except catalog.CatalogError as error:
        views.show(form, error)
        return views.page(request, panel, member, time_off=form)
    if decision == CANCEL:
        asked = {int(pk) for pk in request.POST.getlist("appointment") if pk.isdigit()}
        _cancel_asked(request, member, data, asked)
    elif booked:
        messages.warning(
            request,
            f"Time off was added; {_count(booked)} during it stay booked: move them or tell the customers.",
        )
    else:
        messages.success(request, f"Time off was added for {member.name}.")
    return redirect(views.page_url(panel, member))


def _ask(
    request: HttpRequest, panel: Panel, member: Staff, form: TimeOffForm, booked: list[Appointment]
) -> HttpResponse:
    rows = [(appointment, _customers(appointment)) for appointment in booked]
    own = views.is_own_page(panel, member)
    action = (
        reverse("panel:staff_me_time_off_add")
        if own
        else reverse("panel:staff_time_off_add", args=[member.pk])
    )
    context = {
        "panel": panel,
        "member": member,
        "form": form,
        "rows": rows,
        "action": action,
        "back": views.page_url(panel, member),
        "count": _count(booked),
        "own": own,
    }
    return render(request, "panel/staff/time_off_confirm.html", context)


def _cancel_asked(request: HttpRequest, member: Staff, data: dict, asked: set[int]) -> None:
    """Cancel the seats of the appointments the person was shown; any booked since stay, and are named.
    Each cancel is its own transaction in `services`, which also tells the customer."""
    cancelled, failed, kept = 0, [], []
    for appointment in catalog.booked_during(member, data["start"], data["end"]):
        if appointment.pk not in asked:
            kept.append(appointment)
            continue
        for booking in appointment.bookings.filter(status__in=Booking.SEAT_HOLDING):
            try:
                services.cancel_booking(booking, reason=_time_off_reason(data), by=views.viewer(request))
            except services.BookingError as error:
                failed.append(f"{booking.customer.name}: {error}")
            else:
                cancelled += 1
    messages.success(
        request,
        f"Time off was added for {member.name}; {cancelled} booking{'s' if cancelled != 1 else ''} "
        "cancelled and the customers told.",
    )
    if kept:
        messages.warning(
            request, f"{_count(kept)} booked meanwhile during the time off stay booked: move or cancel them."
        )
    for text in failed:
        messages.error(request, f"Not cancelled: {text}")


def _time_off_reason(data: dict) -> str:
    return f"Time off: {data['reason']}" if data.get("reason") else "Time off"


def _remove_time_off(request: HttpRequest, panel: Panel, member: Staff, time_off_id: int) -> HttpResponse:
    try:
        catalog.remove_time_off(member, time_off_id, by=views.viewer(request))
    except catalog.CatalogError:
        raise Http404 from None
    messages.success(request, f"The time off was removed; {member.name} can be booked then again.")
    return redirect(views.page_url(panel, member))


def _customers(appointment: Appointment) -> list[str]:
    bookings = appointment.bookings.filter(status__in=Booking.SEAT_HOLDING).select_related("customer")
    return [booking.customer.name for booking in bookings]


def _count(appointments: list[Appointment]) -> str:
    return "1 appointment" if len(appointments) == 1 else f"{len(appointments)} appointments"


def _whose(panel: Panel, member: Staff) -> str:
    return "Your" if views.is_own_page(panel, member) else f"{member.name}'s"
