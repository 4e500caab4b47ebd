"""Zoom's steps of the panel's onboarding checklist: connect Zoom, and turn it on for the video services."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from rendez.integrations.zoom import tenant_settings as zoom_settings
from rendez.integrations.zoom.queries import has_working_connection
from rendez.scheduling.models import Service
from rendez.tenants.models import Tenant
from rendez.web.panel.onboarding.checklist import Step


def zoom_steps(tenant: Tenant, services: models.QuerySet[Service]) -> list[Step]:
    if not tenant.has_capability("zoom"):
        return []
    video = [s for s in services.filter(location_type=Service.LocationType.VIDEO).only("video_provider")]
    if not video and services.exists():
        needless = "Not needed: none of your services is a video meeting."
        return [
            Step("zoom_connect", "Connect Zoom", True, needless),
            Step("zoom_on", "Turn on Zoom for video services", True, needless),
        ]
    connected = has_working_connection(tenant)
    connect = Step(
        "zoom_connect",
        "Connect Zoom",
        connected,
        "A Zoom account can host your meetings."
        if connected
        else "Connect the business's Zoom account, or let each staff member connect their own.",
        reverse("panel:settings_zoom"),
        "Zoom settings",
    )
    enabled = zoom_settings.settings_of(tenant).enabled
    # A service with another provider chose it: only one with none is left without meetings.
    off = [s for s in video if s.video_provider is None]
    done = enabled and bool(video) and not off
    if done:
        hint = "Every video booking gets its meeting and link."
    elif not enabled:
        hint = "Switch the Zoom integration on, so video bookings get a meeting."
    elif not video:
        hint = "Add a video service, with Zoom chosen under “Video meetings by”."
    else:
        count = f"{len(off)} video service{'s' if len(off) > 1 else ''}"
        hint = f"Choose Zoom under “Video meetings by” on {count}."
    url = reverse("panel:settings_zoom") if not enabled else reverse("panel:services_list")
    return [connect, Step("zoom_on", "Turn on Zoom for video services", done, hint, url, "Open")]
