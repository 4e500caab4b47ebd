"""A tenant's bookings in time: what comes next, what has been, and any stretch of days.

The read side the API's booking list and other listings share, so "upcoming" means the same everywhere: the
appointment has not ended yet (a session in progress is still upcoming), as on the panel's pages.

Cost: every query here filters the appointment by tenant as well as the booking, and orders by the
appointment's start. PostgreSQL then walks `appointment_tenant_start_idx` from the first row wanted and
fetches each appointment's bookings by key, so a page costs the same however many other tenants share the
database. Filtering the booking alone made it sort every tenant's appointments (a parallel sequential scan).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from django.db.models import Q, QuerySet

from rendez.scheduling.calendars import LONGEST_BLOCK
from rendez.scheduling.models import Booking
from rendez.tenants.models import Tenant


class When(StrEnum):
    UPCOMING = "upcoming"  # not ended yet, soonest first
    PAST = "past"  # ended, latest first
    ALL = "all"  # the whole history in time order, earliest first


def not_ended(now: datetime, via: str = "") -> Q:
    """Appointments that have not ended at `now` (one in progress included); `via="appointment__"` says it of
    bookings.

    An appointment lasts less than LONGEST_BLOCK, so the lower bound on the start changes no answer; it lets
    an index on (tenant, start) begin near `now` instead of at the tenant's oldest appointment."""
    return Q(**{f"{via}end__gt": now, f"{via}start__gt": now - LONGEST_BLOCK})


def ended(now: datetime, via: str = "") -> Q:
    """Appointments that ended by `now`. Started before it too (start < end): the same answer, and an index
    range that stops at `now`."""
    return Q(**{f"{via}end__lte": now, f"{via}start__lt": now})


def bookings_in_time(tenant: Tenant, when: When, now: datetime) -> QuerySet[Booking]:
    """The tenant's bookings, ordered by their appointment's start as `when` says (ties by booking id)."""
    bookings = Booking.objects.filter(tenant=tenant, appointment__tenant=tenant)
    if when == When.UPCOMING:
        return bookings.filter(not_ended(now, via="appointment__")).order_by("appointment__start", "pk")
    if when == When.PAST:
        return bookings.filter(ended(now, via="appointment__")).order_by("-appointment__start", "-pk")
    return bookings.order_by("appointment__start", "pk")


def starting_on_days(bookings: QuerySet[Booking], first: date | None, last: date | None) -> QuerySet[Booking]:
    """Keep bookings whose appointment starts on `first` or later and on `last` or earlier (UTC days)."""
    return bookings.filter(starts_on_days(first, last, field="appointment__start"))


def starts_on_days(first: date | None, last: date | None, *, field: str = "start") -> Q:
    """`field` (a start) on `first` or later and on `last` or earlier, UTC days.

    Compared as a range of instants, not by casting the start to a date, which no index could serve."""
    condition = Q()
    if first is not None:
        condition &= Q(**{f"{field}__gte": utc_midnight(first)})
    if last is not None:
        condition &= Q(**{f"{field}__lt": utc_midnight(last + timedelta(days=1))})
    return condition


def utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
