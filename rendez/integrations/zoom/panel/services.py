"""Zoom as a service's video provider on the panel's service form: why it cannot be chosen now, and who
offering a Zoom service could not host its meeting."""

from __future__ import annotations

from django.urls import reverse

from rendez.integrations.zoom import access, hosts
from rendez.integrations.zoom import tenant_settings as zoom_settings
from rendez.integrations.zoom.models import Connection
from rendez.scheduling.models import Service, Staff
from rendez.tenants.models import Tenant
from rendez.web.panel.sections import VideoChoice

ZOOM_OFF = "The Zoom integration is turned off for this business."
NO_CONNECTION = "No Zoom account is connected yet: neither the business's account nor any staff member's."


def zoom_refusal(tenant: Tenant) -> str | None:
    """Why services of `tenant` cannot have Zoom meetings now, or None when they can."""
    refusal = access.refusal(tenant)
    if refusal is not None:
        return refusal
    if not zoom_settings.settings_of(tenant).enabled:
        return ZOOM_OFF
    if not Connection.objects.filter(tenant=tenant).exists():
        return NO_CONNECTION
    return None


def staff_who_cannot_host(service: Service) -> list[tuple[Staff, str]]:
    """The active staff offering this Zoom service who have no usable Zoom host, and why."""
    offering = service.staff.filter(is_active=True).select_related(*hosts.host_relations()).order_by("name")
    found = []
    for member in offering:
        host = hosts.host_for(member)
        if host is None:
            found.append((member, "no Zoom account connected or mapped"))
        elif not host.usable:
            found.append((member, "their Zoom connection needs reconnecting"))
    return found


CHOICE = VideoChoice(
    provider="zoom",
    refusal=zoom_refusal,
    settings_url=lambda: reverse("panel:settings_zoom"),
    cannot_host=staff_who_cannot_host,
)
