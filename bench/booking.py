"""Booking over HTTP against its floor: the same rows written by plain psycopg transactions.

1. The floor: 16 clients (threads, one psycopg connection each) each insert, per booking and in one
   transaction, what an API booking leaves behind: the customer (upserted), the appointment, the booking and
   its two jobs in one statement, then one NOTIFY.
2. The API: gunicorn on the same PostgreSQL; every worker is warmed (it has served bookings) before timing;
   then 16 clients book distinct free slots through `POST /api/v1/bookings`.

Prints JSON lines: bookings per second, p50/p99 latency, CPU per booking of the gunicorn processes (from
/proc, and inside the requests), of the PostgreSQL backends serving them, SQL statements per booking (counted
in each worker by bench/_booking_probe.py), and the API's throughput as a ratio to the floor's.

    python bench/booking.py [--database-url postgres://postgres@127.0.0.1:5432/rendez_bench] [--port 18110]
        [--clients 16] [--bookings-per-client 25] [--floor-bookings-per-client 100] [--gunicorn-workers 4]
        [--staff 8]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time as clock
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _setup import ROOT, django_on, emit, make_tenant, serving

P99_GOAL_MS = 150
RATIO_GOAL = 0.5
WARM_REQUESTS_PER_WORKER = 3
WARM_ROUNDS_MAX = 20


# --- measuring ----------------------------------------------------------------------------------------------


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(int(len(ordered) * share + 0.5) - 1, 0)]


def latency_figures(elapsed: float, latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "bookings": len(ordered),
        "bookings_per_second": round(len(ordered) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(percentile(ordered, 0.99) * 1000, 1),
    }


def cpu_seconds(pids: list[int]) -> float:
    """CPU time these processes have spent so far, every thread counted (gone ones count nothing).

    From the scheduler's own nanosecond count (schedstat), not the tick-sampled utime/stime of /proc/PID/stat.
    """
    total = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                continue
    return total / 1e9


def run_clients(count: int, client: Callable[[int], list[float]]) -> tuple[float, list[float]]:
    """Run `client(index)` in `count` threads released together; wall time and every latency they report."""
    barrier = threading.Barrier(count + 1)
    latencies: list[float] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        barrier.wait()
        measured = client(index)
        with lock:
            latencies.extend(measured)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = clock.perf_counter()
    for thread in threads:
        thread.join()
    return clock.perf_counter() - began, latencies


# --- the floor ----------------------------------------------------------------------------------------------


def row_template(model, **values: Any) -> dict[str, Any]:
    """Every column of `model` but the key, with the model's defaults where `values` says nothing."""
    row = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        row[field.column] = values[field.name] if field.name in values else field.get_default()
    return row


def insert_sql(model, row: dict[str, Any], suffix: str = "", rows: int = 1) -> str:
    columns = ", ".join(f'"{column}"' for column in row)
    values = ", ".join(["(" + ", ".join(["%s"] * len(row)) + ")"] * rows)
    return f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES {values} {suffix} RETURNING id'


class Floor:
    """What the API writes per booking, written by hand: 5 statements in one transaction."""

    def __init__(self, tenant, service, staff_ids: list[int]) -> None:
        from django.utils import timezone

        from rendez.jobs.models import Job
        from rendez.scheduling.models import Appointment, Booking, Customer

        now = timezone.now()
        self.tenant, self.service, self.staff_ids = tenant, service, staff_ids
        self.customer = row_template(Customer, tenant=tenant, created_at=now)
        self.appointment = row_template(
            Appointment, tenant=tenant, service=service, seats_taken=1, created_at=now, updated_at=now
        )
        self.booking = row_template(Booking, tenant=tenant, created_at=now, updated_at=now)
        self.job = row_template(Job, created_at=now, run_after=now)
        self.customer_sql = insert_sql(
            Customer,
            self.customer,
            'ON CONFLICT ("tenant_id", "email") DO UPDATE SET "email" = EXCLUDED."email"',
        )
        self.appointment_sql = insert_sql(Appointment, self.appointment)
        self.booking_sql = insert_sql(Booking, self.booking)
        self.jobs_sql = insert_sql(Job, self.job, rows=2)

    def book(self, cursor, client: int, n: int) -> None:
        from psycopg.types.json import Jsonb

        now = datetime.now(UTC)
        # Far beyond the API's slots (which lie within 60 days), one distinct start per booking.
        start = now.replace(microsecond=0) + timedelta(days=200, minutes=30 * (client * 10_000 + n))
        staff_id = self.staff_ids[n % len(self.staff_ids)]
        customer = {
            **self.customer,
            "tenant_id": self.tenant.pk,
            "name": f"Floor {client}-{n}",
            "email": f"f{client}-{n}@bench.example",
        }
        cursor.execute(self.customer_sql, list(customer.values()))
        customer_id = cursor.fetchone()[0]
        appointment = {
            **self.appointment,
            "tenant_id": self.tenant.pk,
            "service_id": self.service.pk,
            "staff_id": staff_id,
            "start": start,
            "end": start + timedelta(minutes=30),
            "block_start": start,
            "block_end": start + timedelta(minutes=30),
            "capacity": 1,
        }
        cursor.execute(self.appointment_sql, list(appointment.values()))
        appointment_id = cursor.fetchone()[0]
        booking = {
            **self.booking,
            "tenant_id": self.tenant.pk,
            "appointment_id": appointment_id,
            "customer_id": customer_id,
            "manage_token": secrets.token_urlsafe(24),
        }
        cursor.execute(self.booking_sql, list(booking.values()))
        booking_id = cursor.fetchone()[0]
        sync = {
            **self.job,
            "kind": "conferencing.sync",
            "key": f"appointment:{appointment_id}",
            "payload": Jsonb({"appointment_id": appointment_id}),
            "coalesce": True,
            "run_after": now,
        }
        event = {
            **self.job,
            "kind": "notifications.booking_event",
            "queue": "notifications",
            "key": f"booking:{booking_id}",
            "payload": Jsonb({"booking_id": booking_id, "event": "booking_created", "status": "confirmed"}),
            "run_after": now,
        }
        cursor.execute(self.jobs_sql, [*sync.values(), *event.values()])
        cursor.execute(
            "SELECT pg_notify('rendez_jobs', 'default'), pg_notify('rendez_jobs', 'notifications')"
        )


def run_floor(database_url: str, floor: Floor, clients: int, per_client: int) -> dict[str, Any]:
    import psycopg

    # Connected and warmed (one untimed booking each) before timing, as the API's workers are.
    connections = [psycopg.connect(database_url) for _ in range(clients)]
    for index, conn in enumerate(connections):
        with conn.cursor() as cursor:
            floor.book(cursor, index, 0)
        conn.commit()

    def client(index: int) -> list[float]:
        latencies = []
        conn = connections[index]
        with conn.cursor() as cursor:
            for n in range(1, per_client + 1):
                began = clock.perf_counter()
                floor.book(cursor, index, n)
                conn.commit()
                latencies.append(clock.perf_counter() - began)
        return latencies

    try:
        elapsed, latencies = run_clients(clients, client)
    finally:
        for conn in connections:
            conn.close()
    return latency_figures(elapsed, latencies)


# --- the API ------------------------------------------------------------------------------------------------


def start_gunicorn(database_url: str, port: int, workers: int, probe_dir: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RENDEZ_LOG_LEVEL": "WARNING",
        "RENDEZ_BENCH_PROBE_DIR": probe_dir,
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "rendez.wsgi",
        "-c",
        str(ROOT / "bench" / "_booking_probe.py"),
    ]
    command += ["-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    return serving(subprocess.Popen(command, cwd=ROOT, env=env), port)


def worker_pids(master: int, count: int) -> list[int]:
    """The master's `count` workers, once all are forked (it listens before it forks them)."""
    deadline = clock.monotonic() + 30
    while clock.monotonic() < deadline:
        children = [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
        if len(children) >= count:
            return children
        clock.sleep(0.1)
    raise SystemExit(f"gunicorn forked {len(children)} of {count} workers")


def backend_pids(database_url: str) -> list[int]:
    """The PostgreSQL backends serving the benchmark's database (the web workers' connections)."""
    import psycopg

    name = database_url.rsplit("/", 1)[-1]
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
        ).fetchall()
    return [pid for (pid,) in rows]


def plan_slots(service, staff, count: int) -> list[tuple[int, str]]:
    """`count` distinct free slots, spread over the staff members so clients contend as real traffic does."""
    from django.utils import timezone

    from rendez.scheduling.availability import Interval
    from rendez.scheduling.calendars import find_slots

    now = timezone.now()
    window = Interval(now + timedelta(days=1), now + timedelta(days=60))
    slots = find_slots(service, staff, window, now)
    if len(slots) < count:
        raise SystemExit(f"only {len(slots)} free slots for {count} bookings")
    return [(member.pk, slot.start.astimezone(UTC).isoformat()) for member, slot in slots[:count]]


class Booker:
    """HTTP clients booking planned slots, each with its own connection."""

    def __init__(self, base_url: str, key: str, service_id: int, phase: str) -> None:
        self.base_url, self.key, self.service_id, self.phase = base_url, key, service_id, phase
        self.failures: list[str] = []

    def client(self, work: list[list[tuple[int, str]]]) -> Callable[[int], list[float]]:
        import httpx2

        headers = {"Authorization": f"Bearer {self.key}", "X-Bench-Phase": self.phase}

        def book(index: int) -> list[float]:
            latencies = []
            with httpx2.Client(base_url=self.base_url, headers=headers, timeout=30) as http:
                for n, (staff_id, start) in enumerate(work[index]):
                    body = {
                        "service_id": self.service_id,
                        "staff_id": staff_id,
                        "start": start,
                        "customer": {
                            "name": f"Client {index}-{n}",
                            "email": f"{self.phase}{index}-{n}@b.example",
                        },
                    }
                    began = clock.perf_counter()
                    response = http.post("/api/v1/bookings", json=body)
                    latencies.append(clock.perf_counter() - began)
                    if response.status_code != 201:
                        self.failures.append(f"{response.status_code} {response.text[:200]}")
            return latencies

        return book


def warm_workers(
    booker: Booker, clients: int, slots: list[tuple[int, str]], pids: list[int], probe: Path
) -> int:
    """Book in rounds of `clients` concurrent requests until every worker has served a few; returns rounds."""
    log = probe / "warm.log"
    for round_ in range(1, WARM_ROUNDS_MAX + 1):
        batch = slots[(round_ - 1) * clients : round_ * clients]
        run_clients(clients, booker.client([[slot] for slot in batch]))
        served = Counter(int(line) for line in log.read_text().split()) if log.exists() else Counter()
        if all(served[pid] >= WARM_REQUESTS_PER_WORKER for pid in pids):
            return round_
    raise SystemExit(f"workers not all warm after {WARM_ROUNDS_MAX} rounds: {dict(served)}")


def probe_totals(probe: Path) -> dict[str, float]:
    totals: Counter[str] = Counter()
    for path in probe.glob("*.json"):
        totals.update(json.loads(path.read_text()))
    return dict(totals)


def run_api(args, service, staff, key: str) -> dict[str, Any]:
    timed = args.clients * args.bookings_per_client
    slots = plan_slots(service, staff, timed + args.clients * WARM_ROUNDS_MAX)
    timed_slots, warm_slots = slots[:timed], slots[timed:]
    work = [timed_slots[i :: args.clients] for i in range(args.clients)]
    base_url = f"http://127.0.0.1:{args.port}"

    with tempfile.TemporaryDirectory(prefix="rendez-bench-booking-") as probe_dir:
        probe = Path(probe_dir)
        server = start_gunicorn(args.database_url, args.port, args.gunicorn_workers, probe_dir)
        try:
            workers = worker_pids(server.pid, args.gunicorn_workers)
            warm_rounds = warm_workers(
                Booker(base_url, key, service.pk, "warmup"), args.clients, warm_slots, workers, probe
            )
            servers = [server.pid, *workers]
            backends = backend_pids(args.database_url)
            cpu_before, pg_before = cpu_seconds(servers), cpu_seconds(backends)
            booker = Booker(base_url, key, service.pk, "timed")
            elapsed, latencies = run_clients(args.clients, booker.client(work))
            cpu, pg_cpu = cpu_seconds(servers) - cpu_before, cpu_seconds(backends) - pg_before
        finally:
            server.terminate()
            server.wait(30)
        totals = probe_totals(probe)
    booked = totals.get("bookings", 0) or 1
    for failure in booker.failures[:5]:
        print("failure:", failure, file=sys.stderr)
    return {
        **latency_figures(elapsed, latencies),
        "failed": len(booker.failures),
        "warm_rounds": warm_rounds,
        "server_cpu_ms_per_booking": round(cpu * 1000 / len(latencies), 2),
        "in_request_cpu_ms_per_booking": round(totals.get("cpu_s", 0) * 1000 / booked, 2),
        "postgres_cpu_ms_per_booking": round(pg_cpu * 1000 / len(latencies), 2),
        "sql_statements_per_booking": round(totals.get("statements", 0) / booked, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/rendez_bench")
    parser.add_argument("--port", type=int, default=18110)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--bookings-per-client", type=int, default=25)
    parser.add_argument("--floor-bookings-per-client", type=int, default=100)
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--staff", type=int, default=8)
    args = parser.parse_args()
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one INFO line per request otherwise

    django_on(args.database_url)
    tenant, staff, service, key = make_tenant(staff_count=args.staff)
    from django.db import connections

    floor = run_floor(
        args.database_url,
        Floor(tenant, service, [m.pk for m in staff]),
        args.clients,
        args.floor_bookings_per_client,
    )
    connections.close_all()
    emit(
        bench="booking.floor", database="postgresql", clients=args.clients, statements_per_booking=5, **floor
    )

    api = run_api(args, service, staff, key)
    connections.close_all()
    emit(
        bench="booking.api",
        database="postgresql",
        server=f"gunicorn -w {args.gunicorn_workers}",
        clients=args.clients,
        **api,
    )
    emit(
        bench="booking.ratio",
        api_to_floor=round(api["bookings_per_second"] / floor["bookings_per_second"], 3),
        goal=RATIO_GOAL,
        p99_ms=api["p99_ms"],
        p99_goal_ms=P99_GOAL_MS,
        load_average=round(os.getloadavg()[0], 2),
        started=datetime.now(UTC).isoformat(timespec="seconds"),
    )


if __name__ == "__main__":
    main()
