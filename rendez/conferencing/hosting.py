"""Who can be given a booking of a video service now: the staff whose meeting would be made.

The public booking page offers only them (web/booking/views.py `_offering`), and "any available" in the API
assigns only among them: a customer given anyone else would get no link. One rule for both.
"""

from __future__ import annotations

from collections.abc import Sequence

from rendez.conferencing.port import get_provider
from rendez.scheduling.models import Service, Staff

VIDEO_PROVIDER = "zoom"


def able_to_host(service: Service, staff: Sequence[Staff]) -> list[Staff]:
    """`staff` who can take a booking of `service` with its meeting: all of them when the service has no
    Zoom meeting (no video provider, or one not implemented here yet), the tenant's integration is off or
    the business chose to offer staff without Zoom anyway (their customers' link follows once they
    connect), else those with a usable host."""
    if service.video_provider != VIDEO_PROVIDER or service.tenant.offer_staff_without_zoom:
        return list(staff)
    provider = get_provider(VIDEO_PROVIDER)
    if not provider.integration(service.tenant).enabled:
        return list(staff)
    return [member for member in staff if (host := provider.host_for(member)) is not None and host.usable]
