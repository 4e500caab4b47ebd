"""A staff member's Zoom status as the API (and later the panel) shows it: who can host, at a glance."""

from __future__ import annotations

from typing import TypedDict

from rendez.integrations.zoom.hosts import host_for
from rendez.scheduling.models import Staff


class StaffZoom(TypedDict):
    mode: str
    status: str
    zoom_user_id: str
    email: str


def staff_zoom(staff: Staff) -> StaffZoom | None:
    host = host_for(staff)
    if host is None:
        return None
    return {
        "mode": host.mode,
        "status": host.connection.status,
        "zoom_user_id": host.zoom_user_id,
        "email": host.email,
    }
