"""How many bookings one client address may make on a business's public booking page: a person books a few,
a script filling a calendar with made-up customers (each booking a video meeting made on the business's Zoom
account, whose daily meeting quota it would spend) books dozens. Counted in the database
(rendez/web/attempts.py) per business and per address group (IPv6: per /64), so every web process agrees.

Only bookings that were made count: a refused one (time taken, mistakes in the form) is taken back. The
panel and the API are not limited here (signed-in people and API keys).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.http import HttpRequest

from rendez.lib.client_ip import address_group, client_ip
from rendez.tenants.models import Tenant
from rendez.web import attempts

PER_ADDRESS = 20
WINDOW = timedelta(hours=1)
REFUSAL = (
    "Many bookings were made from your network in the last hour, so this one was not. Please try again "
    "later, or contact the business."
)

logger = logging.getLogger(__name__)


class TooManyBookings(Exception):
    pass


@contextmanager
def counted_booking(request: HttpRequest, tenant: Tenant) -> Iterator[None]:
    """Count the booking made inside; raise TooManyBookings (booking nothing) when the address is at its
    limit. An exception from inside uncounts it: only bookings made count."""
    key = attempts.key("public-booking", str(tenant.pk), address_group(client_ip(request)))
    if attempts.add(key, WINDOW, below=PER_ADDRESS) is None:
        logger.info("public booking refused: %s bookings this hour from one address", PER_ADDRESS)
        raise TooManyBookings
    try:
        yield
    except BaseException:
        attempts.take_back(key)
        raise
    finally:
        attempts.prune()
