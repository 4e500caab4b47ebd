"""The customer panel's cast: Charlie books Dora's consultation at Alice's Studio (Berlin) next week; Bob's
Clinic is another business where Charlie also books, under the same email."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from rendez.scheduling import services
from rendez.scheduling.models import Booking, Service, Staff
from rendez.scheduling.tests.conftest import alice, bob, dora  # noqa: F401 - fixtures
from rendez.scheduling.tests.factories import customer, make_service, make_staff

BERLIN = ZoneInfo("Europe/Berlin")


def next_monday(hour: int = 10, weeks: int = 2, zone: ZoneInfo = BERLIN) -> datetime:
    today = timezone.now().astimezone(zone).date()
    day = today + timedelta(days=7 - today.weekday()) + timedelta(weeks=weeks - 1)
    return datetime.combine(day, time(hour), tzinfo=zone)


def book(service: Service, staff: Staff, start: datetime, who: str = "Charlie", **details) -> Booking:
    return services.book(service=service, staff=staff, start=start, customer=customer(who, **details))


@pytest.fixture(autouse=True)
def fresh_cache():
    """Nothing one test cached is seen by the next (the sign-in limits count in the database, rolled back)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def consultation(alice, dora) -> Service:  # noqa: F811 - the fixtures, imported above
    return make_service(alice, dora, name="Consultation", duration_minutes=30, min_notice_minutes=24 * 60)


@pytest.fixture
def booking(consultation, dora) -> Booking:  # noqa: F811
    return book(consultation, dora, next_monday(10))


@pytest.fixture
def bobs_booking(bob) -> Booking:  # noqa: F811
    barber = make_staff(bob, "Bert", timezone="America/New_York")
    service = make_service(bob, barber, name="Haircut")
    return book(service, barber, next_monday(10, zone=ZoneInfo("America/New_York")))
