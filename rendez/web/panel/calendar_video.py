"""A video provider whose meetings are made on the host's connected calendar (Google Meet on Google Calendar,
Microsoft Teams on Microsoft 365), as a choice of the service form: refused until a staff member of the
business has such a calendar connected; the staff offering it without one are named. Integrations build their
`VideoChoice` with it; the panel itself registers nothing here."""

from __future__ import annotations

from django.urls import reverse

from rendez.calendars.models import CalendarConnection
from rendez.scheduling.models import Service, Staff
from rendez.tenants.models import Tenant
from rendez.web.panel.sections import VideoChoice

NO_PLAN = "The business's plan does not include video meetings."
# The plan capability of video meetings on every provider (conferencing.choice.VIDEO_CAPABILITY).
VIDEO_CAPABILITY = "zoom"


def calendar_video_choice(provider: str, calendar_provider: str, label: str, calendar: str) -> VideoChoice:
    """`provider` (a `Service.video_provider` value) hosted on `calendar_provider` connections; `label` names
    the meetings ("Google Meet"), `calendar` the calendar ("Google calendar")."""

    def refusal(tenant: Tenant) -> str | None:
        if not tenant.has_capability(VIDEO_CAPABILITY):
            return NO_PLAN
        connected = CalendarConnection.objects.filter(
            tenant=tenant, provider=calendar_provider, status=CalendarConnection.Status.CONNECTED
        )
        if connected.exists():
            return None
        return (
            f"No staff member has connected a {calendar} yet: "
            f"{label} meetings are made on the host's calendar."
        )

    def cannot_host(service: Service) -> list[tuple[Staff, str]]:
        found = []
        for member in service.staff.filter(is_active=True).order_by("name"):
            connection = CalendarConnection.objects.filter(
                tenant_id=service.tenant_id, staff=member, provider=calendar_provider
            ).first()
            if connection is None or connection.status == CalendarConnection.Status.DISCONNECTED:
                found.append((member, f"no {calendar} connected"))
            elif not connection.is_usable:
                found.append((member, f"their {calendar} needs reconnecting"))
        return found

    return VideoChoice(
        provider=provider,
        refusal=refusal,
        settings_url=lambda: reverse("panel:staff_list"),
        cannot_host=cannot_host,
    )
