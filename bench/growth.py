"""Growth: what one tenant's requests cost alone in PostgreSQL and beside 10,000 other tenants.

One run builds two databases that hold the same measured tenant, row for row: `<name>_alone` with only it
(two staff members, a 30-minute service, a year of history like everyone else's), and `<name>_beside`, a copy
to which 10,000 other tenants are added with 1,000,000 appointments, as many bookings, their customers and
their jobs (a finished confirmation per booking, a pending reminder per booking more than two days ahead).
Rows are made by INSERT ... SELECT over generate_series inside the server, then VACUUM ANALYZE.

Operations, on the measured tenant:
- slots: `GET /api/v1/slots` for one staff member over seven days
- bookings list: `GET /api/v1/bookings` (upcoming, the default) and `?when=past`, first page of 50
- job claim: `rendez.jobs.claims.claim` of a due job, as a worker takes it
- booking: `POST /api/v1/bookings` into distinct free slots

Two measuring processes, one per database, run each operation turn about (warm-up calls first, untimed), so
that whatever else loads the machine weighs on both alike; requests go through Django's test client inside
them (no network, no server). The figure per operation is the median time beside the others over the median
alone. Goal: 1.2 or less for each.

    python bench/growth.py [--database-url postgres://postgres@127.0.0.1:5432/rendez_growth_bench]
                           [--tenants 10000] [--appointments 1000000] [--calls 40]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from _setup import ROOT, django_on, emit, make_tenant

if TYPE_CHECKING:
    from rendez.jobs.models import Job

BERLIN = ZoneInfo("Europe/Berlin")
WARM_UP = 5
GOAL = 1.2
MEASURED_SLUG = "bench"  # make_tenant's
VAR_DIR = Path(os.environ.get("RENDEZ_VAR_DIR", ROOT / "var"))
# Generated history: appointments spread evenly over this span around now (most past, about 17 % ahead).
HISTORY_SPAN = timedelta(days=396)
HISTORY_BEFORE_NOW = timedelta(days=330)
CUSTOMERS_PER_TENANT = 50
STAFF_PER_TENANT = 2
# Bookings measured land this far ahead, beyond every generated appointment and every slot window measured.
BOOKING_DAYS_AHEAD = 100


# --- data, generated in the server -----------------------------------------------------------------------


def add_other_tenants(cursor, count: int) -> None:
    """`count` tenants with two staff members working every day 08:00-20:00 and one 30-minute service."""
    cursor.execute(
        """INSERT INTO tenants_tenant (slug, name, timezone, address, meetings_for_pending, is_active,
                created_at)
           SELECT 'other-' || n, 'Other ' || n, 'Europe/Berlin', '', false, true, now()
           FROM generate_series(1, %s) n""",
        [count],
    )
    others = "SELECT id FROM tenants_tenant WHERE slug LIKE 'other-%%'"
    cursor.execute(
        f"""INSERT INTO scheduling_staff (tenant_id, name, email, phone, timezone, is_active)
            SELECT t.id, 'Staff ' || n, '', '', 'Europe/Berlin', true
            FROM ({others}) t CROSS JOIN generate_series(1, %s) n""",
        [STAFF_PER_TENANT],
    )
    cursor.execute(
        f"""INSERT INTO scheduling_workinghours (staff_id, weekday, start_time, end_time)
            SELECT s.id, d, '08:00', '20:00' FROM scheduling_staff s CROSS JOIN generate_series(0, 6) d
            WHERE s.tenant_id IN ({others})"""
    )
    cursor.execute(
        f"""INSERT INTO scheduling_service (tenant_id, name, description, duration_minutes,
                buffer_before_minutes, buffer_after_minutes, capacity, min_notice_minutes, horizon_days,
                price, location_type, initial_status, video_provider, meeting_options, is_active)
            SELECT t.id, 'Consultation', '', 30, 0, 0, 1, 0, 400, 0, 'video', 'confirmed', NULL, '{{}}', true
            FROM ({others}) t"""
    )
    cursor.execute(
        f"""INSERT INTO scheduling_service_staff (service_id, staff_id)
            SELECT v.id, s.id FROM scheduling_service v JOIN scheduling_staff s ON s.tenant_id = v.tenant_id
            WHERE v.tenant_id IN ({others})"""
    )


def add_history(cursor, tenants: str, per_tenant: int) -> None:
    """A year of appointments for each tenant of the `tenants` query, one booking each, customers, jobs."""
    origin = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - HISTORY_BEFORE_NOW
    cursor.execute(
        f"""INSERT INTO scheduling_customer (tenant_id, name, email, phone, timezone, created_at)
            SELECT t.id, 'Customer ' || n, 'c' || n || '@example.com', '', '', now()
            FROM ({tenants}) t CROSS JOIN generate_series(0, %s) n""",
        [CUSTOMERS_PER_TENANT - 1],
    )
    # Appointment i of a tenant goes to staff member i % 2, so no staff member has two at one start.
    cursor.execute(
        f"""INSERT INTO scheduling_appointment (tenant_id, service_id, staff_id, start, "end", block_start,
                block_end, seats_taken, capacity, created_at, updated_at)
            SELECT t.id, v.service_id, v.staff_ids[1 + i %% 2], s.at, s.at + interval '30 minutes', s.at,
                s.at + interval '30 minutes', 1, 1, s.booked, s.booked
            FROM ({tenants}) t
            CROSS JOIN LATERAL (
                SELECT min(x.service_id) AS service_id, array_agg(x.staff_id ORDER BY x.staff_id) AS staff_ids
                FROM scheduling_service_staff x JOIN scheduling_service y ON y.id = x.service_id
                WHERE y.tenant_id = t.id
            ) v
            CROSS JOIN generate_series(0, %s) i
            CROSS JOIN LATERAL (SELECT %s + i * %s + (t.id %% 10) * interval '1 hour' AS at) s0
            CROSS JOIN LATERAL (SELECT s0.at, least(s0.at - interval '7 days', now()) AS booked) s""",
        [per_tenant - 1, origin, HISTORY_SPAN / per_tenant],
    )
    cursor.execute(
        f"""INSERT INTO scheduling_booking (tenant_id, appointment_id, customer_id, party_size, status,
                manage_token, notes, created_at, updated_at)
            SELECT a.tenant_id, a.id, c.id, 1,
                CASE WHEN a.start < now() THEN 'completed' ELSE 'confirmed' END, 'generated-' || a.id, '',
                a.created_at, a.created_at
            FROM scheduling_appointment a
            JOIN scheduling_customer c
                ON c.tenant_id = a.tenant_id AND c.email = 'c' || (a.id %% %s) || '@example.com'
            WHERE a.tenant_id IN ({tenants})""",
        [CUSTOMERS_PER_TENANT],
    )
    add_jobs(cursor, tenants)


def add_jobs(cursor, tenants: str) -> None:
    """A finished confirmation job per booking; a pending reminder, due a day before, for those ahead."""
    columns = """kind, queue, key, payload, state, coalesce, attempts, max_attempts, run_after, lease_owner,
                 last_error, request_id, created_at, started_at, finished_at"""
    bookings = f"""scheduling_booking b JOIN scheduling_appointment a ON a.id = b.appointment_id
                   WHERE b.tenant_id IN ({tenants})"""
    cursor.execute(
        f"""INSERT INTO jobs_job ({columns})
            SELECT 'notifications.booking_event', 'notifications', 'booking:' || b.id,
                jsonb_build_object('booking_id', b.id), 'succeeded', false, 1, 10, b.created_at, '', '', '',
                b.created_at, b.created_at, b.created_at
            FROM {bookings}"""
    )
    cursor.execute(
        f"""INSERT INTO jobs_job ({columns})
            SELECT 'notifications.reminder', 'notifications', 'booking:' || b.id,
                jsonb_build_object('booking_id', b.id), 'pending', false, 0, 10,
                a.start - interval '1 day', '', '', '', b.created_at, NULL, NULL
            FROM {bookings} AND a.start > now() + interval '2 days'"""
    )


def generate(database_url: str, sql: Callable[[object], None]) -> float:
    """Run `sql(cursor)` in one transaction on a connection of its own, then VACUUM ANALYZE; seconds taken."""
    import psycopg

    started = clock.perf_counter()
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        sql(cursor)
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return clock.perf_counter() - started


# --- measuring ---------------------------------------------------------------------------------------------


class Operations:
    """The measured tenant's operations. Each returns what to time (set-up, if any, done untimed), so that a
    measuring process can run one call at a time."""

    def __init__(self, key: str):
        from django.test import Client

        from rendez.scheduling.models import Service, Staff

        self.client = Client(headers={"Authorization": f"Bearer {key}"})
        self.service = Service.objects.get(tenant__slug=MEASURED_SLUG)
        self.staff = list(Staff.objects.filter(tenant__slug=MEASURED_SLUG).order_by("pk"))
        tomorrow = datetime.now(BERLIN).date() + timedelta(days=1)
        self.slot_query: dict[str, str | int] = {
            "service_id": self.service.pk,
            "staff_id": self.staff[0].pk,
            "date_from": tomorrow.isoformat(),
            "date_to": (tomorrow + timedelta(days=6)).isoformat(),
        }
        self.first_bookable_day = tomorrow + timedelta(days=BOOKING_DAYS_AHEAD)
        self.bookings_made = 0
        self.claimed: Job | None = None

    def slots(self) -> Callable[[], None]:
        return lambda: self._expect(self.client.get("/api/v1/slots", self.slot_query), 200)

    def booking(self) -> Callable[[], None]:
        # Distinct half hours of 08:00-20:00, one day after another, so no booking ever meets a taken slot.
        index = self.bookings_made
        self.bookings_made += 1
        day = self.first_bookable_day + timedelta(days=index // 24)
        start = datetime.combine(day, datetime.min.time(), tzinfo=BERLIN) + timedelta(
            hours=8, minutes=30 * (index % 24)
        )
        body = {
            "service_id": self.service.pk,
            "staff_id": self.staff[0].pk,
            "start": start.isoformat(),
            "customer": {"name": f"Guest {index}", "email": f"guest{index}@example.com"},
        }
        post = self.client.post
        return lambda: self._expect(post("/api/v1/bookings", body, content_type="application/json"), 201)

    def bookings_list(self) -> Callable[[], None]:
        return lambda: self._expect(self.client.get("/api/v1/bookings"), 200)

    def bookings_list_past(self) -> Callable[[], None]:
        return lambda: self._expect(self.client.get("/api/v1/bookings", {"when": "past"}), 200)

    def job_claim(self) -> Callable[[], None]:
        """Settle the previous claim and enqueue a due job, untimed; return the claim to time."""
        from rendez import jobs
        from rendez.jobs import claims

        if self.claimed is not None:
            claims.record_success(self.claimed)
        jobs.enqueue("jobs.noop", {})

        def claim() -> None:
            self.claimed = claims.claim(None, lease_seconds=60)
            if self.claimed is None or self.claimed.kind != "jobs.noop":
                raise SystemExit(f"the claim took {self.claimed!r} instead of the job just enqueued")

        return claim

    @staticmethod
    def _expect(response, status: int) -> None:
        if response.status_code != status:
            raise SystemExit(
                f"{response.request['PATH_INFO']} answered {response.status_code}: {response.content[:300]!r}"
            )


# Reads first, writes last: what a booking or a claim adds must not change what a read measures.
OPERATIONS = ("slots", "bookings_list", "bookings_list_past", "job_claim", "booking")


def measuring_process() -> None:
    """A child on one database: for each operation name read from stdin, run it once and answer with a JSON
    line of the time it took and the queries it sent."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    operations = Operations(os.environ.pop("GROWTH_API_KEY"))
    for line in sys.stdin:
        step = getattr(operations, line.strip())()
        with CaptureQueriesContext(connection) as captured:
            started = clock.perf_counter()
            step()
            elapsed = clock.perf_counter() - started
        print(json.dumps({"ms": elapsed * 1000, "queries": len(captured.captured_queries)}), flush=True)


class Measurer:
    """A measuring process on one of the two databases."""

    def __init__(self, phase: str, database_url: str, key: str):
        log = open(VAR_DIR / f"growth-{phase}.log", "w")  # noqa: SIM115 - lives as long as the process
        env = {**os.environ, "DATABASE_URL": database_url, "GROWTH_API_KEY": key}
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--measuring-process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            text=True,
        )

    def run(self, operation: str) -> dict[str, float]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(operation + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise SystemExit(f"the measuring process stopped during {operation}; see {VAR_DIR}/growth-*.log")
        return json.loads(answer)

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def paired(alone: Measurer, beside: Measurer, operation: str, calls: int) -> None:
    """Run `operation` on both databases turn about (who goes first alternates), so that whatever else loads
    the machine weighs on both alike; print both phases' figures and their ratio."""
    times: dict[str, list[float]] = {"alone": [], "beside": []}
    queries: dict[str, int] = {}
    for run in range(WARM_UP + calls):
        order = [("alone", alone), ("beside", beside)]
        for phase, measurer in order if run % 2 == 0 else order[::-1]:
            answer = measurer.run(operation)
            if run >= WARM_UP:
                times[phase].append(answer["ms"])
            queries[phase] = int(answer["queries"])
    for phase, durations in times.items():
        durations.sort()
        emit(
            bench=f"growth.{operation}",
            phase=phase,
            calls=calls,
            median_ms=round(statistics.median(durations), 2),
            p95_ms=round(durations[max(0, int(len(durations) * 0.95) - 1)], 2),
            queries=queries[phase],
        )
    ratio = statistics.median(times["beside"]) / statistics.median(times["alone"])
    emit(
        bench="growth.ratio",
        operation=operation,
        alone_ms=round(statistics.median(times["alone"]), 2),
        beside_ms=round(statistics.median(times["beside"]), 2),
        ratio=round(ratio, 2),
        goal=GOAL,
        met=ratio <= GOAL,
    )


def copy_database(source_url: str, target_url: str) -> None:
    """`target` made afresh as a copy of `source` (no one may be connected to `source`)."""
    import psycopg

    source, target = (urlsplit(url).path.lstrip("/") for url in (source_url, target_url))
    admin_url = urlunsplit(urlsplit(source_url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/rendez_growth_bench")
    parser.add_argument("--tenants", type=int, default=10_000)
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--measuring-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measuring_process:
        measuring_process()
        return
    per_tenant = args.appointments // args.tenants
    alone_url, beside_url = f"{args.database_url}_alone", f"{args.database_url}_beside"

    django_on(alone_url)
    tenant, _, _, key = make_tenant(staff_count=STAFF_PER_TENANT)
    measured = f"SELECT id FROM tenants_tenant WHERE id = {tenant.pk}"
    generate(alone_url, lambda cursor: add_history(cursor, measured, per_tenant))
    from django.db import connections

    connections.close_all()
    copy_database(alone_url, beside_url)

    def crowd(cursor) -> None:
        add_other_tenants(cursor, args.tenants)
        add_history(cursor, "SELECT id FROM tenants_tenant WHERE slug LIKE 'other-%%'", per_tenant)

    seconds = generate(beside_url, crowd)
    emit(
        bench="growth.generated",
        tenants=args.tenants,
        appointments=per_tenant * args.tenants,
        seconds=round(seconds, 1),
    )

    alone, beside = Measurer("alone", alone_url, key), Measurer("beside", beside_url, key)
    try:
        for operation in OPERATIONS:
            paired(alone, beside, operation, args.calls)
    finally:
        alone.stop()
        beside.stop()


if __name__ == "__main__":
    main()
