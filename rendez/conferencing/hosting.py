"""Who can be given a booking of a video service now: the staff whose meeting would be made.

The public booking page offers only them (web/booking/views.py `_offering`), and "any available" in the API
assigns only among them: a customer given anyone else would get no link. One rule for both.
"""

from __future__ import annotations

from collections.abc import Sequence

from rendez.conferencing import choice
from rendez.scheduling.models import Service, Staff


def able_to_host(service: Service, staff: Sequence[Staff]) -> list[Staff]:
    """`staff` who can take a booking of `service` with its meeting: all of them when the service has no
    meeting (no video provider, or none implemented here yet), its providers' integrations are all off or
    the business chose to offer staff without a host anyway (their customers' link follows once they
    connect), else those with a usable host on the service's provider or on its fallback."""
    names = choice.providers_of(service)
    if not names or service.tenant.offer_staff_without_zoom:
        return list(staff)
    if not any(choice.get_provider(name).integration(service.tenant).enabled for name in names):
        return list(staff)
    return [member for member in staff if choice.able_to_host(service, member)]
