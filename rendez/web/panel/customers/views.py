"""Customers of the tenant (admins only): a list searched by name or email, a customer's upcoming and past
bookings, and booking an appointment for a customer from the panel.

A customer's own details are corrected through `rendez.scheduling.customers`, their one writer. Bookings are
made by `rendez.scheduling.services.book` only; free times come from `rendez.scheduling.calendars.find_slots`,
in the tenant's zone, as on the public booking page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from rendez.conferencing.hosting import able_to_host
from rendez.lib.phones import region_of_zone
from rendez.scheduling import any_staff, customers, services
from rendez.scheduling.availability import Interval
from rendez.scheduling.calendars import find_slots
from rendez.scheduling.models import Booking, Customer, Service, Staff
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.customers.forms import BookForm, CustomerForm

LIST_LIMIT = 200
M = TypeVar("M", Service, Staff)
# BookingError fields named differently on the form.
FORM_FIELD = {"start": "start", "staff_id": "staff", "service_id": "service", "party_size": "party_size"}


@panel_view(admin_only=True)
def customers_list(request: HttpRequest, panel: Panel) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    customers = Customer.objects.filter(tenant=panel.tenant)
    if query:
        customers = customers.filter(Q(name__icontains=query) | Q(email__icontains=query))
    rows = list(customers.annotate(booking_count=Count("bookings")).order_by("name", "pk")[:LIST_LIMIT])
    context = {"panel": panel, "customers": rows, "query": query, "limit": LIST_LIMIT}
    return render(request, "panel/customers/list.html", context)


@panel_view(admin_only=True)
def customers_detail(request: HttpRequest, panel: Panel, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer, tenant=panel.tenant, pk=customer_id)
    bookings = Booking.objects.filter(tenant=panel.tenant, customer=customer).select_related(
        "appointment__service", "appointment__staff"
    )
    now = timezone.now()
    context = {
        "panel": panel,
        "customer": customer,
        "upcoming": bookings.filter(appointment__end__gt=now).order_by("appointment__start", "pk"),
        "past": bookings.filter(appointment__end__lte=now).order_by("-appointment__start", "-pk"),
    }
    return render(request, "panel/customers/detail.html", context)


@panel_view(admin_only=True)
def customers_edit(request: HttpRequest, panel: Panel, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer, tenant=panel.tenant, pk=customer_id)
    if request.method != "POST":
        form = CustomerForm(initial={"name": customer.name, "email": customer.email, "phone": customer.phone})
        return render(
            request, "panel/customers/edit.html", {"panel": panel, "customer": customer, "form": form}
        )
    form = CustomerForm(request.POST, region=region_of_zone(panel.tenant.timezone))
    if form.is_valid():
        try:
            customers.update_customer(customer, **form.cleaned_data)
        except customers.CustomerError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"{customer.name}'s details are saved.")
            return redirect("panel:customers_detail", customer.pk)
    customer.refresh_from_db()
    context = {"panel": panel, "customer": customer, "form": form}
    return render(request, "panel/customers/edit.html", context, status=400)


@panel_view(admin_only=True)
def customers_book(request: HttpRequest, panel: Panel) -> HttpResponse:
    zone = ZoneInfo(panel.tenant.timezone)
    if request.method != "POST":
        form = BookForm(panel.tenant, initial=_initial(request, panel, zone))
        return _book_page(request, panel, form, zone)
    form = BookForm(panel.tenant, request.POST)
    if not form.is_valid():
        return _book_page(request, panel, form, zone, status=400)
    data = form.cleaned_data
    customer = services.CustomerDetails(name=data["name"], email=data["email"], phone=data["phone"])
    try:
        booking = _book(data, customer, form.answers)
    except services.BookingError as error:
        form.add_error(FORM_FIELD.get(error.field or ""), error.message)
        return _book_page(request, panel, form, zone, status=409 if error.conflict else 400)
    messages.success(request, f"Booked for {booking.customer.name}; they are told by the usual messages.")
    return redirect("panel:appointment", booking.appointment_id)


def _book(data: dict, customer: services.CustomerDetails, answers: Sequence[Mapping[str, object]]) -> Booking:
    """With a staff member chosen, them; with "any available", whom the service's policy picks."""
    service, chosen = data["service"], data["staff"]
    if chosen is None:
        return any_staff.book_any_available(
            service,
            _anyone_of(service),
            data["start"],
            customer,
            party_size=data["party_size"],
            notes=data["notes"],
            answers=answers,
        )
    return services.book(
        service=service,
        staff=chosen,
        start=data["start"],
        customer=customer,
        party_size=data["party_size"],
        notes=data["notes"],
        answers=answers,
    )


@panel_view(admin_only=True)
def customers_slots(request: HttpRequest, panel: Panel) -> HttpResponse:
    """The free times of the chosen service, staff member and day: the fragment the booking form swaps in."""
    zone = ZoneInfo(panel.tenant.timezone)
    # The service's questions come along (swapped out of band), with what was typed in them kept.
    form = BookForm(panel.tenant, initial=request.GET.dict())
    context = {**_slots_context(panel, request.GET, zone), "form": form}
    return render(request, "panel/customers/_slots_response.html", context)


def _initial(request: HttpRequest, panel: Panel, zone: ZoneInfo) -> dict:
    initial: dict = {"date": timezone.now().astimezone(zone).date()}
    for key in ("service", "staff"):
        if request.GET.get(key, "").isdigit():
            initial[key] = int(request.GET[key])
    asked = request.GET.get("customer", "")
    if asked.isdigit():
        customer = Customer.objects.filter(tenant=panel.tenant, pk=int(asked)).first()
        if customer is not None:
            initial.update(email=customer.email, name=customer.name)
    return initial


def _book_page(
    request: HttpRequest, panel: Panel, form: BookForm, zone: ZoneInfo, *, status: int = 200
) -> HttpResponse:
    query = form.data if form.is_bound else {k: form.initial.get(k, "") for k in ("service", "staff", "date")}
    context = {"panel": panel, "form": form, **_slots_context(panel, query, zone)}
    return render(request, "panel/customers/book.html", context, status=status)


def _slots_context(panel: Panel, query, zone: ZoneInfo) -> dict:
    service = _of_tenant(Service.objects.filter(tenant=panel.tenant, is_active=True), query.get("service"))
    staff = _of_tenant(Staff.objects.filter(tenant=panel.tenant, is_active=True), query.get("staff"))
    day = _day(query.get("date"))
    context: dict = {"zone": zone.key, "day": day, "chosen": str(query.get("start") or ""), "times": None}
    if service is None or day is None:
        return context
    if staff is None:
        candidates = _anyone_of(service)
    else:
        candidates = [member for member in _offering(service) if member.pk == staff.pk]
    window = Interval(
        datetime.combine(day, time.min, tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    )
    find = find_slots if staff is not None else any_staff.free_slots
    found = find(service, candidates, window, timezone.now()) if candidates else []
    # With "any available", a time several staff members have free is offered once.
    starts = sorted({slot.start for _, slot in found})
    context["times"] = [
        {"value": start.astimezone(zone).isoformat(), "label": start.astimezone(zone).strftime("%H:%M")}
        for start in starts
    ]
    context["not_offered"] = not candidates
    context["anyone"] = staff is None
    return context


def _offering(service: Service) -> list[Staff]:
    return list(service.staff.filter(is_active=True).order_by("name", "pk"))


def _anyone_of(service: Service) -> list[Staff]:
    """Whom "any available" may pick: the rule of the booking page and the API (a customer given a staff
    member who cannot host would get no link). An admin who names a staff member gets them all the same."""
    return able_to_host(service, _offering(service))


def _of_tenant(queryset: QuerySet[M], value) -> M | None:
    value = str(value or "")
    return queryset.filter(pk=int(value)).first() if value.isdigit() else None


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        return None
