"""How the customer panel's tests book: Charlie, "Monday in two weeks" at 10 in Berlin, through
`services.book`."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from rendez.scheduling import services
from rendez.scheduling.models import Booking, Service, Staff
from rendez.scheduling.tests.factories import customer

BERLIN = ZoneInfo("Europe/Berlin")


def next_monday(hour: int = 10, weeks: int = 2, zone: ZoneInfo = BERLIN) -> datetime:
    today = timezone.now().astimezone(zone).date()
    day = today + timedelta(days=7 - today.weekday()) + timedelta(weeks=weeks - 1)
    return datetime.combine(day, time(hour), tzinfo=zone)


def book(service: Service, staff: Staff, start: datetime, who: str = "Charlie", **details) -> Booking:
    return services.book(service=service, staff=staff, start=start, customer=customer(who, **details))
