"""Builders for the scheduling core's rows, shared by the scheduling, API and tenant tests.

The cast: tenant "alice" (Alice's Studio, Europe/Berlin) and tenant "bob" (Bob's Clinic, America/New_York) are
two businesses; "charlie", "dave", "erin" ... are customers. Dora works for alice, Mondays to Fridays
09:00-17:00 Berlin.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time

from rendez.scheduling import services
from rendez.scheduling.models import Booking, Service, Staff, WorkingHours
from rendez.tenants.models import ApiKey, Plan, Tenant

WEEKDAYS = range(5)
NINE_TO_FIVE = ((time(9), time(17)),)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def make_tenant(slug: str, *, name: str | None = None, timezone: str = "Europe/Berlin") -> Tenant:
    plan, _ = Plan.objects.get_or_create(slug="pro", defaults={"name": "Pro", "capabilities": ["zoom"]})
    return Tenant.objects.create(slug=slug, name=name or slug.title(), timezone=timezone, plan=plan)


def make_api_key(tenant: Tenant, name: str = "tests") -> str:
    _, raw_key = ApiKey.issue(tenant, name)
    return raw_key


def make_staff(
    tenant: Tenant,
    name: str = "Dora",
    *,
    timezone: str = "Europe/Berlin",
    days: Iterable[int] = WEEKDAYS,
    hours: Iterable[tuple[time, time]] = NINE_TO_FIVE,
) -> Staff:
    member = Staff.objects.create(
        tenant=tenant, name=name, email=f"{name.lower()}@example.com", timezone=timezone
    )
    set_hours(member, days, hours)
    return member


def set_hours(member: Staff, days: Iterable[int], hours: Iterable[tuple[time, time]]) -> None:
    hours = list(hours)
    WorkingHours.objects.filter(staff=member).delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(staff=member, weekday=day, start_time=start, end_time=end)
        for day in days
        for start, end in hours
    )


def make_service(tenant: Tenant, *staff: Staff, name: str = "Consultation", **fields) -> Service:
    fields.setdefault("duration_minutes", 30)
    service = Service.objects.create(tenant=tenant, name=name, **fields)
    service.staff.set(staff)
    return service


def customer(name: str = "Charlie", email: str | None = None, **fields) -> services.CustomerDetails:
    return services.CustomerDetails(name=name, email=email or f"{name.lower()}@example.com", **fields)


def book(
    service: Service, staff: Staff, start: datetime, who: str = "Charlie", *, now: datetime, **kwargs
) -> Booking:
    return services.book(service=service, staff=staff, start=start, customer=customer(who), now=now, **kwargs)
