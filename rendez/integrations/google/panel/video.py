"""Google Meet as a service's video provider on the panel's service form: why it cannot be chosen now, and who
offering a Meet service could not host its meeting (Meet meetings are made on staff's Google calendars)."""

from __future__ import annotations

from django.urls import reverse

from rendez.calendars.models import CalendarConnection, Provider
from rendez.scheduling.models import Service, Staff
from rendez.tenants.models import Tenant
from rendez.web.panel.sections import VideoChoice

NO_PLAN = "The business's plan does not include video meetings."
NO_CALENDAR = (
    "No staff member has connected a Google calendar yet: "
    "Google Meet meetings are made on the host's calendar."
)


def meet_refusal(tenant: Tenant) -> str | None:
    """Why services of `tenant` cannot have Google Meet meetings now, or None when they can."""
    if not tenant.has_capability("zoom"):  # the plan capability of video meetings on every provider
        return NO_PLAN
    connected = CalendarConnection.objects.filter(
        tenant=tenant, provider=Provider.GOOGLE, status=CalendarConnection.Status.CONNECTED
    )
    return None if connected.exists() else NO_CALENDAR


def staff_who_cannot_host(service: Service) -> list[tuple[Staff, str]]:
    """The active staff offering this Meet service without a usable Google calendar, and why."""
    found = []
    for member in service.staff.filter(is_active=True).order_by("name"):
        connection = CalendarConnection.objects.filter(
            tenant_id=service.tenant_id, staff=member, provider=Provider.GOOGLE
        ).first()
        if connection is None or connection.status == CalendarConnection.Status.DISCONNECTED:
            found.append((member, "no Google calendar connected"))
        elif not connection.is_usable:
            found.append((member, "their Google calendar needs reconnecting"))
    return found


CHOICE = VideoChoice(
    provider="google_meet",
    refusal=meet_refusal,
    settings_url=lambda: reverse("panel:staff_list"),
    cannot_host=staff_who_cannot_host,
)
