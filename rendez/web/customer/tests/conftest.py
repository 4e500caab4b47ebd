"""The customer panel's cast: Charlie books Dora's consultation at Alice's Studio (Berlin) next week; Bob's
Clinic is another business where Charlie also books, under the same email."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from rendez.scheduling.models import Booking, Service
from rendez.scheduling.tests.factories import make_service, make_staff
from rendez.web.customer.tests.bookings import book, next_monday


@pytest.fixture(autouse=True)
def fresh_cache():
    """Nothing one test cached is seen by the next (the sign-in limits count in the database, rolled back)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def consultation(alice, dora) -> Service:
    """Overrides the shared consultation (scheduling/tests/fixtures.py): this one needs a day's notice."""
    return make_service(alice, dora, name="Consultation", duration_minutes=30, min_notice_minutes=24 * 60)


@pytest.fixture
def booking(consultation, dora) -> Booking:
    return book(consultation, dora, next_monday(10))


@pytest.fixture
def bobs_booking(bob) -> Booking:
    barber = make_staff(bob, "Bert", timezone="America/New_York")
    service = make_service(bob, barber, name="Haircut")
    return book(service, barber, next_monday(10, zone=ZoneInfo("America/New_York")))
