"""Availability: time and database queries per call for one staff member over 30 days.

Existing appointments: 0, 1,000 and 10,000. A calendar can only hold so many appointments in 30 days,
so 300 of them fall inside the window (one every two hours) and the rest lie in the staff member's
history, as in a busy practice; the work per call must stay bounded by the window, not by the history.

    python bench/availability.py [--database-url sqlite:///var/bench-availability.sqlite3] [--calls 30]
"""

from __future__ import annotations

import argparse
import statistics
import time as clock
from datetime import UTC, datetime, timedelta

from _setup import django_on, emit, make_tenant

NOW = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)


IN_WINDOW = 300  # the first 300 fall inside the 30 days measured (one every 2 hours); the rest are history


def appointment_start(index: int) -> datetime:
    if index < IN_WINDOW:
        return NOW + timedelta(hours=2 * index + 3)
    return NOW - timedelta(days=60, hours=index)


def add_appointments(service, member, first: int, last: int) -> None:
    from rendez.scheduling.models import Appointment

    rows = []
    for index in range(first, last):
        start = appointment_start(index)
        end = start + timedelta(minutes=30)
        rows.append(
            Appointment(
                tenant_id=service.tenant_id,
                service=service,
                staff=member,
                start=start,
                end=end,
                block_start=start,
                block_end=end,
                seats_taken=1,
                capacity=1,
            )
        )
    Appointment.objects.bulk_create(rows, batch_size=2000)


def measure(service, member, calls: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rendez.scheduling.availability import Interval
    from rendez.scheduling.calendars import find_slots

    window = Interval(NOW, NOW + timedelta(days=30))
    durations, queries, slots = [], 0, 0
    for _ in range(calls):
        with CaptureQueriesContext(connection) as captured:
            started = clock.perf_counter()
            slots = len(find_slots(service, [member], window, NOW))
            durations.append(clock.perf_counter() - started)
        queries = len(captured.captured_queries)
    durations.sort()
    return (
        statistics.median(durations) * 1000,
        durations[int(len(durations) * 0.95) - 1] * 1000,
        queries,
        slots,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="sqlite:///var/bench-availability.sqlite3")
    parser.add_argument("--calls", type=int, default=30)
    args = parser.parse_args()
    django_on(args.database_url)
    from django.db import connection

    existing = 0
    _, staff, service, _ = make_tenant()
    for target in (0, 1_000, 10_000):
        add_appointments(service, staff[0], existing, target)
        existing = target
        median_ms, p95_ms, queries, slots = measure(service, staff[0], args.calls)
        emit(
            bench="availability",
            database=connection.vendor,
            existing_appointments=target,
            days=30,
            median_ms=round(median_ms, 2),
            p95_ms=round(p95_ms, 2),
            queries_per_call=queries,
            slots=slots,
        )


if __name__ == "__main__":
    main()
