"""A recurring series on the public booking page: the details step offers "Repeat" for a service that allows
series; before anything is booked the visitor sees each date free or taken and chooses, in words, between
booking all of them, booking the free ones, or none. Booked by `scheduling.services.book_series`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from rendez.scheduling import services
from rendez.scheduling.calendars import check_occurrences
from rendez.scheduling.models import SERIES_MAX_OCCURRENCES, Service, Staff
from rendez.scheduling.series import Repeat
from rendez.tenants.models import Tenant

REPEAT_CHOICES = [
    ("", "Does not repeat"),
    ("weekly:1", "Every week"),
    ("weekly:2", "Every 2 weeks"),
    ("monthly:1", "Every month"),
    ("daily:1", "Every day"),
]
ALL, FREE = "all", "free"
CHANGED = "Something changed while you were choosing: the dates below are as they are now."


def add_repeat_fields(form: forms.Form) -> None:
    """The details form's repeat fields, for a service that allows series."""
    form.fields["repeat"] = forms.ChoiceField(label="Repeat", choices=REPEAT_CHOICES, required=False)
    form.fields["repeat_count"] = forms.IntegerField(
        label="How many times",
        min_value=2,
        max_value=SERIES_MAX_OCCURRENCES,
        initial=4,
        required=False,
        help_text="You see which dates are free before anything is booked.",
    )
    form.fields["decision"] = forms.ChoiceField(
        choices=[("", ""), (ALL, ALL), (FREE, FREE)], required=False, widget=forms.HiddenInput
    )
    # How many dates were free when the visitor chose: "book the free ones" means those they saw.
    form.fields["seen_free"] = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


def repeat_of(form: forms.Form) -> Repeat | None:
    """The repeat rule a valid details form asks for; None for a single booking."""
    chosen = form.cleaned_data.get("repeat") or ""
    if not chosen:
        return None
    frequency, interval = chosen.split(":")
    return Repeat(frequency, int(interval), count=form.cleaned_data.get("repeat_count") or 4)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Row:
    start: datetime
    label: str
    reason: str  # empty: free

    @property
    def free(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class Plan:
    staff: Staff
    rows: list[Row]

    @property
    def free(self) -> int:
        return sum(row.free for row in self.rows)


def plan(
    service: Service,
    candidates: list[Staff],
    start: datetime,
    repeat: Repeat,
    party_size: int,
    zone: ZoneInfo,
) -> Plan:
    """The dates of the series with the staff member who has most of them free (the first one named on a
    tie), each free or with why not. `BookingError` for a rule that cannot be a series."""
    now = timezone.now()
    starts_of = {
        member.pk: services.series_starts(service, member, start, repeat, now) for member in candidates
    }
    best: Plan | None = None
    for member in candidates:
        starts = starts_of[member.pk]
        verdicts = check_occurrences(service, [member], starts, now, party_size)[member.pk]
        rows = [
            Row(item, _label(item, zone), verdict.message if verdict is not None else "")
            for item, verdict in zip(starts, verdicts, strict=True)
        ]
        found = Plan(member, rows)
        if best is None or found.free > best.free:
            best = found
    assert best is not None
    return best


def book_or_ask(
    request: HttpRequest,
    tenant: Tenant,
    service: Service,
    form: forms.Form,
    candidates: list[Staff],
    customer: services.CustomerDetails,
    repeat: Repeat,
    zone: ZoneInfo,
) -> HttpResponse:
    """Show the dates and ask, or book what the visitor chose when it is still what they saw."""
    party_size = int(form.cleaned_data.get("party_size") or 1)
    found = plan(service, candidates, form.cleaned_data["start"], repeat, party_size, zone)
    decision = form.cleaned_data.get("decision") or ""
    if not decision or found.free == 0:
        return _ask(request, tenant, service, form, found, repeat, zone)
    if decision == ALL and found.free < len(found.rows):
        return _ask(request, tenant, service, form, found, repeat, zone, notice=CHANGED)
    if decision == FREE and form.cleaned_data.get("seen_free") != found.free:
        return _ask(request, tenant, service, form, found, repeat, zone, notice=CHANGED)
    try:
        outcome = services.book_series(
            tenant_id=tenant.pk,
            service_id=service.pk,
            staff_id=found.staff.pk,
            start=form.cleaned_data["start"],
            customer=customer,
            repeat=repeat,
            partial=decision == FREE,
            party_size=party_size,
            notes=form.cleaned_data.get("notes") or "",
            answers=getattr(form, "answers", ()),
        )
    except services.SeriesConflict:
        again = plan(service, [found.staff], form.cleaned_data["start"], repeat, party_size, zone)
        return _ask(request, tenant, service, form, again, repeat, zone, notice=CHANGED, status=409)
    # In the page or in a website's frame (booking/embed.py): the confirmation stays where the visitor is.
    app = request.resolver_match.namespace if request.resolver_match else None
    done = reverse("booking:done", args=[tenant.slug, outcome.bookings[0].manage_token], current_app=app)
    return redirect(f"{done}?{urlencode({'tz': str(zone)})}")


def _ask(
    request: HttpRequest,
    tenant: Tenant,
    service: Service,
    form: forms.Form,
    found: Plan,
    repeat: Repeat,
    zone: ZoneInfo,
    *,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    carried = [
        (name, value)
        for name, value in form.data.items()
        if name not in ("csrfmiddlewaretoken", "decision", "seen_free")
    ]
    app = request.resolver_match.namespace if request.resolver_match else None
    time_url = reverse("booking:time", args=[tenant.slug, service.pk], current_app=app)
    back = f"{time_url}?{urlencode({'staff': form.cleaned_data['staff'], 'tz': str(zone)})}"
    context = {
        "tenant": tenant,
        "service": service,
        "plan": found,
        "rule": repeat.describe(),
        "taken": len(found.rows) - found.free,
        "carried": carried,
        "back_url": back,
        "notice": notice,
        "zone": str(zone),
    }
    return render(request, "booking/series_check.html", context, status=status)


def _label(start: datetime, zone: ZoneInfo) -> str:
    local = start.astimezone(zone)
    return f"{local:%A}, {local.day} {local:%B %Y}, {local:%H:%M}"
