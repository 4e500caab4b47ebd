"""Availability: `find_slots` in-process for one staff member, then `GET /api/v1/slots` over HTTP.

In-process: one staff member over 30 days with 0, 1,000 and 10,000 existing appointments. A calendar can only
hold so many appointments in 30 days, so 300 of them fall inside the window (one every two hours) and the rest
lie in the staff member's history, as in a busy practice; the work per call must stay bounded by the window,
not by the history.

Over HTTP: a gunicorn process on the same database answers 30 days of slots for 1 staff member and for all 8
("any staff"), after a warm-up. Each has an appointment every two hours in those days; the one staff member is
also asked for the 30 days after, which are free. The floor is the same server answering an authenticated
slots request whose dates lie in the past (no slots; the same key, service and staff lookups): what any API
request costs here. Queries per request are counted by sending the same request through Django's test client
in this process.

    python bench/availability.py [--database-url sqlite:///var/bench-availability.sqlite3] [--calls 30]
        [--requests 50] [--port 18250]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time as clock
from datetime import UTC, datetime, timedelta

from _setup import ROOT, django_on, emit, make_tenant, serving

NOW = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
DAYS = 30
STAFF = 8
IN_WINDOW = 300  # the first 300 fall inside the 30 days measured (one every 2 hours); the rest are history
WARM_UP_REQUESTS = 20


def appointment_start(index: int, offset: timedelta = timedelta(0)) -> datetime:
    if index < IN_WINDOW:
        return NOW + timedelta(hours=2 * index + 3) + offset
    return NOW - timedelta(days=60, hours=index)


def add_appointments(service, member, first: int, last: int, offset: timedelta = timedelta(0)) -> None:
    from rendez.scheduling.models import Appointment

    rows = []
    for index in range(first, last):
        start = appointment_start(index, offset)
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


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(int(len(ordered) * share) - 1, 0)]


# --- in-process ------------------------------------------------------------------------------------------


def measure_calls(service, member, calls: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rendez.scheduling.availability import Interval
    from rendez.scheduling.calendars import find_slots

    window = Interval(NOW, NOW + timedelta(days=DAYS))
    durations, queries, slots = [], 0, 0
    for _ in range(calls):
        with CaptureQueriesContext(connection) as captured:
            started = clock.perf_counter()
            slots = len(find_slots(service, [member], window, NOW))
            durations.append(clock.perf_counter() - started)
        queries = len(captured.captured_queries)
    durations.sort()
    return statistics.median(durations) * 1000, percentile(durations, 0.95) * 1000, queries, slots


def run_calls(service, member, calls: int) -> None:
    from django.db import connection

    existing = 0
    for target in (0, 1_000, 10_000):
        add_appointments(service, member, existing, target)
        existing = target
        median_ms, p95_ms, queries, slots = measure_calls(service, member, calls)
        emit(
            bench="availability",
            database=connection.vendor,
            existing_appointments=target,
            days=DAYS,
            median_ms=round(median_ms, 2),
            p95_ms=round(p95_ms, 2),
            queries_per_call=queries,
            slots=slots,
        )


# --- over HTTP -------------------------------------------------------------------------------------------


def start_gunicorn(database_url: str, port: int) -> subprocess.Popen:
    """One sync worker: requests are sent one after the other, so more would only share the two cores."""
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "gunicorn", "rendez.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"]
    return serving(subprocess.Popen([*command, "--log-level", "warning"], cwd=ROOT, env=env), port)


def slots_query(service, staff_id: int | None, first_day: str, days: int) -> dict[str, str | int]:
    from datetime import date

    last_day = date.fromisoformat(first_day) + timedelta(days=days - 1)
    query: dict[str, str | int] = {"service_id": service.pk, "date_from": first_day, "date_to": str(last_day)}
    if staff_id is not None:
        query["staff_id"] = staff_id
    return query


def queries_per_request(key: str, query: dict) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Bearer {key}"})
    client.get("/api/v1/slots", query)  # the first request may fill caches; count a steady one
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/slots", query)
    assert response.status_code == 200, response.content[:200]
    return len(captured.captured_queries)


def time_requests(http, query: dict, requests: int) -> tuple[list[float], int, int]:
    for _ in range(WARM_UP_REQUESTS):
        http.get("/api/v1/slots", params=query).raise_for_status()
    durations = []
    response = None
    for _ in range(requests):
        started = clock.perf_counter()
        response = http.get("/api/v1/slots", params=query)
        durations.append(clock.perf_counter() - started)
        response.raise_for_status()
    assert response is not None
    return sorted(durations), len(response.json()), len(response.content)


def run_http(database_url: str, service, staff, key: str, port: int, requests: int) -> None:
    import httpx2
    from django.db import connections

    busy_month, free_month = NOW.date(), NOW.date() + timedelta(days=DAYS)  # the appointments end in 25 days
    cases = {
        "floor": slots_query(service, None, "2020-01-01", 1),
        "1_staff_free": slots_query(service, staff[0].pk, free_month.isoformat(), DAYS),
        "1_staff": slots_query(service, staff[0].pk, busy_month.isoformat(), DAYS),
        f"{len(staff)}_staff": slots_query(service, None, busy_month.isoformat(), DAYS),
    }
    counted = {name: queries_per_request(key, query) for name, query in cases.items()}
    connections.close_all()
    server = start_gunicorn(database_url, port)
    try:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as http:
            timed = {name: time_requests(http, query, requests) for name, query in cases.items()}
    finally:
        server.terminate()
        server.wait(10)
    floor_ms = statistics.median(timed["floor"][0]) * 1000
    for name, (durations, slots, size) in timed.items():
        median_ms = statistics.median(durations) * 1000
        emit(
            bench="availability_http",
            case=name,
            database=connections["default"].vendor,
            server="gunicorn -w 1",
            days=DAYS if name != "floor" else 0,
            requests=requests,
            median_ms=round(median_ms, 2),
            p95_ms=round(percentile(durations, 0.95) * 1000, 2),
            ratio_to_floor=round(median_ms / floor_ms, 2),
            queries_per_request=counted[name],
            slots=slots,
            response_bytes=size,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="sqlite:///var/bench-availability.sqlite3")
    parser.add_argument("--calls", type=int, default=30, help="in-process find_slots calls per case")
    parser.add_argument("--requests", type=int, default=50, help="timed HTTP requests a case (0: no HTTP)")
    parser.add_argument("--port", type=int, default=18250)
    args = parser.parse_args()
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one INFO line per request otherwise
    os.environ.setdefault(
        "RENDEZ_LOG_LEVEL", "WARNING"
    )  # and one from Rendez's request log, here and in gunicorn
    django_on(args.database_url)

    _, staff, service, key = make_tenant(staff_count=STAFF)
    if args.calls:
        run_calls(service, staff[0], args.calls)
    else:
        add_appointments(service, staff[0], 0, 10_000)
    if args.requests:
        # The others are as busy inside the window as the first, each on a different half hour.
        for index, member in enumerate(staff[1:], start=1):
            add_appointments(service, member, 0, IN_WINDOW, offset=timedelta(minutes=30 * (index % 4)))
        run_http(args.database_url, service, staff, key, args.port, args.requests)


if __name__ == "__main__":
    main()
