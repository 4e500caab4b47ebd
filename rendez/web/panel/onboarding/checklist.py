"""The onboarding checklist: each step is a question about the tenant's data (never a box someone ticks), so
it is done when the thing is done, by whichever page did it. The checklist can be put away only once every
step is done; until then the dashboard shows it.

Integrations add their own steps (`web/panel/sections.py`), before the last: Zoom's apply only to a plan with
`zoom`, and only while the business offers video services (or has no service yet): an in-person practice is
not asked to connect Zoom (`integrations/zoom/panel/onboarding.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, QuerySet
from django.urls import reverse

from rendez.scheduling.models import Booking, Service, Staff, WorkingHours
from rendez.tenants.models import Tenant
from rendez.web.models import ChecklistDismissal
from rendez.web.panel import sections


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    hint: str  # what to do, or what was found once done
    url: str = ""
    action: str = ""  # the link's words


@dataclass(frozen=True)
class Checklist:
    steps: tuple[Step, ...]
    dismissed: bool

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def shown(self) -> bool:
        return not (self.complete and self.dismissed)

    def step(self, key: str) -> Step:
        return next(step for step in self.steps if step.key == key)


def checklist_for(tenant: Tenant) -> Checklist:
    staff = Staff.objects.filter(tenant=tenant, is_active=True)
    services = Service.objects.filter(tenant=tenant, is_active=True)
    found = _found(tenant, staff, services)
    steps = [
        _profile(tenant),
        _first_staff(found.staff),
        _working_hours(found.hours),
        _first_service(found.service),
    ]
    for integration_steps in sections.onboarding_steps():
        steps += integration_steps(tenant, services)
    steps.append(_share(found.booking))
    return Checklist(tuple(steps), found.dismissed)


@dataclass(frozen=True)
class _Found:
    staff: bool
    hours: bool
    service: bool
    booking: bool
    dismissed: bool


def _found(tenant: Tenant, staff: QuerySet[Staff], services: QuerySet[Service]) -> _Found:
    """The checklist's own questions in one statement (the dashboard asks them at every visit)."""
    row = (
        Tenant.objects.filter(pk=tenant.pk)
        .annotate(
            has_staff=Exists(staff),
            has_hours=Exists(WorkingHours.objects.filter(staff__in=staff)),
            has_service=Exists(services),
            has_booking=Exists(Booking.objects.filter(tenant=tenant)),
            has_dismissed=Exists(ChecklistDismissal.objects.filter(tenant=tenant)),
        )
        .values_list("has_staff", "has_hours", "has_service", "has_booking", "has_dismissed")
        .get()
    )
    return _Found(*row)


def _profile(tenant: Tenant) -> Step:
    missing = [label for label, value in (("name", tenant.name), ("address", tenant.address)) if not value]
    hint = (
        f"Add your business's {' and '.join(missing)} so customers know who and where you are."
        if missing
        else f"{tenant.name}, {tenant.address} ({tenant.timezone})."
    )
    return Step(
        "profile", "Fill in your business profile", not missing, hint, "/panel/settings/", "Open settings"
    )


def _first_staff(done: bool) -> Step:
    hint = "Someone has a calendar to book." if done else "Add the people customers book, or yourself."
    return Step("staff", "Add your first staff member", done, hint, reverse("panel:staff_new"), "Add staff")


def _working_hours(done: bool) -> Step:
    hint = "Customers see free times in them." if done else "Set when your staff can be booked."
    return Step("hours", "Set working hours", done, hint, reverse("panel:staff_list"), "Open staff")


def _first_service(done: bool) -> Step:
    hint = "It is on your booking page." if done else "Say what customers book: its name, length and price."
    return Step(
        "service", "Add your first service", done, hint, reverse("panel:services_create"), "Add a service"
    )


def _share(done: bool) -> Step:
    hint = (
        "Your first booking came in."
        if done
        else "Send customers your booking page, put it on your website, or print its QR code. Done when the "
        "first booking comes in."
    )
    return Step("share", "Share your booking page", done, hint)
