"""Booking over HTTP against its floors, and against a trivial request in the same server.

1. The fair floor (bench/_booking_floor.py): 16 threads with a plain psycopg connection each send, per booking
   and in one transaction, the API's own 9 statements (booking questions, customer upsert, hours, time off,
   the staff lock, the appointments near the slot, appointment, booking, both jobs with their NOTIFY),
   server-side prepared, on the same staff members. Then the old floor (5 inserts, no reads, no lock),
   for comparison.
2. The API: gunicorn on the same PostgreSQL; every worker is warmed (it has served bookings) before timing;
   then 16 light clients (keep-alive `http.client` in 4 forked processes, bench/_http_load.py) book distinct
   free slots through `POST /api/v1/bookings`, and then send as many `GET /healthz`.

Prints JSON lines: bookings per second and p50/p99 of each; CPU per request of the gunicorn processes (from
the scheduler's counts in /proc), of the PostgreSQL backends and of the client processes, for bookings and for
/healthz; CPU inside the booking requests and SQL statements per booking (bench/_booking_probe.py); and the
goals: server CPU per booking over /healthz (≤ 2 ms), PostgreSQL CPU per booking (≤ 1.5 ms), p99 (≤ 150 ms),
throughput ≥ 0.4 × the fair floor, with the load average at start and end.

    python bench/booking.py [--database-url postgres://postgres@127.0.0.1:5432/rendez_bench] [--port 18110]
        [--clients 16] [--processes 4] [--bookings-per-client 25] [--floor-bookings-per-client 100]
        [--gunicorn-workers 4] [--staff 8]
"""

from __future__ import annotations

import argparse
import json
import os
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

import _http_load as http_load
from _booking_floor import FairFloor, OldFloor
from _http_load import Request
from _setup import ROOT, django_on, emit, make_tenant, serving

P99_GOAL_MS = 150
RATIO_GOAL = 0.4  # of the fair floor
SERVER_OVER_TRIVIAL_GOAL_MS = 2.0
POSTGRES_GOAL_MS = 1.5
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


# --- the floors ---------------------------------------------------------------------------------------------


def run_floor(database_url: str, floor: Any, clients: int, per_client: int) -> dict[str, Any]:
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


def booking_requests(service_id: int, phase: str, slots: list[tuple[int, str]]) -> list[Request]:
    """One `POST /api/v1/bookings` per slot, its body encoded now (not while timed)."""
    requests = []
    for n, (staff_id, start) in enumerate(slots):
        body = {
            "service_id": service_id,
            "staff_id": staff_id,
            "start": start,
            "customer": {"name": f"Client {phase} {n}", "email": f"{phase}-{n}-{staff_id}@b.example"},
        }
        requests.append(Request("POST", "/api/v1/bookings", json.dumps(body).encode(), 201))
    return requests


def headers_for(key: str, phase: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "X-Bench-Phase": phase}


def warm_workers(args, key: str, service_id: int, slots: list[tuple[int, str]], pids, probe: Path) -> int:
    """Book in rounds of `clients` concurrent requests until every worker has served a few; returns rounds."""
    log = probe / "warm.log"
    for round_ in range(1, WARM_ROUNDS_MAX + 1):
        batch = slots[(round_ - 1) * args.clients : round_ * args.clients]
        requests = booking_requests(service_id, f"warm{round_}", batch)
        healthz = [Request("GET", "/healthz")] * 3
        http_load.run(
            args.port, headers_for(key, "warmup"), [[r, *healthz] for r in requests], args.processes
        )
        served = Counter(int(line) for line in log.read_text().split()) if log.exists() else Counter()
        if all(served[pid] >= WARM_REQUESTS_PER_WORKER for pid in pids):
            return round_
    raise SystemExit(f"workers not all warm after {WARM_ROUNDS_MAX} rounds: {dict(served)}")


def probe_totals(probe: Path) -> dict[str, float]:
    totals: Counter[str] = Counter()
    for path in probe.glob("*.json"):
        totals.update(json.loads(path.read_text()))
    return dict(totals)


def measured(args, work: list[list[Request]], key: str, phase: str, servers, backends) -> dict[str, Any]:
    """Send `work`; its latencies, and the CPU of the server, PostgreSQL and the client per request."""
    cpu_before, pg_before = cpu_seconds(servers), cpu_seconds(backends)
    load = http_load.run(args.port, headers_for(key, phase), work, args.processes)
    cpu, pg_cpu = cpu_seconds(servers) - cpu_before, cpu_seconds(backends) - pg_before
    count = len(load.latencies)
    for failure in load.failures[:5]:
        print(f"failure ({phase}):", failure, file=sys.stderr)
    return {
        **latency_figures(load.elapsed, load.latencies),
        "failed": len(load.failures),
        "server_cpu_ms": round(cpu * 1000 / count, 3),
        "postgres_cpu_ms": round(pg_cpu * 1000 / count, 3),
        "client_cpu_ms": load.client_cpu_ms_per_request,
    }


def run_api(args, service, staff, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The timed bookings, then as many `GET /healthz` from the same clients: figures of each."""
    timed = args.clients * args.bookings_per_client
    slots = plan_slots(service, staff, timed + args.clients * WARM_ROUNDS_MAX)
    timed_slots, warm_slots = slots[:timed], slots[timed:]
    requests = booking_requests(service.pk, "timed", timed_slots)
    work = [requests[i :: args.clients] for i in range(args.clients)]
    trivial = [[Request("GET", "/healthz")] * len(client) for client in work]

    with tempfile.TemporaryDirectory(prefix="rendez-bench-booking-") as probe_dir:
        probe = Path(probe_dir)
        server = start_gunicorn(args.database_url, args.port, args.gunicorn_workers, probe_dir)
        try:
            workers = worker_pids(server.pid, args.gunicorn_workers)
            warm_rounds = warm_workers(args, key, service.pk, warm_slots, workers, probe)
            servers = [server.pid, *workers]
            backends = backend_pids(args.database_url)
            bookings = measured(args, work, key, "timed", servers, backends)
            healthz = measured(args, trivial, key, "healthz", servers, backends)
        finally:
            server.terminate()
            server.wait(30)
        totals = probe_totals(probe)
    booked = totals.get("bookings", 0) or 1
    bookings.update(
        warm_rounds=warm_rounds,
        in_request_cpu_ms=round(totals.get("cpu_s", 0) * 1000 / booked, 2),
        sql_statements=round(totals.get("statements", 0) / booked, 2),
    )
    return bookings, healthz


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/rendez_bench")
    parser.add_argument("--port", type=int, default=18110)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--processes", type=int, default=4, help="client processes the clients share")
    parser.add_argument("--bookings-per-client", type=int, default=25)
    parser.add_argument("--floor-bookings-per-client", type=int, default=100)
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--staff", type=int, default=8)
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]

    django_on(args.database_url)
    tenant, staff, service, key = make_tenant(staff_count=args.staff)
    from django.db import connections

    staff_ids = [m.pk for m in staff]
    fair = run_floor(
        args.database_url, FairFloor(tenant, service, staff_ids), args.clients, args.floor_bookings_per_client
    )
    emit(bench="booking.floor", kind="fair", clients=args.clients, statements=FairFloor.statements, **fair)
    old = run_floor(
        args.database_url, OldFloor(tenant, service, staff_ids), args.clients, args.floor_bookings_per_client
    )
    emit(bench="booking.floor", kind="old", clients=args.clients, statements=OldFloor.statements, **old)
    connections.close_all()

    api, healthz = run_api(args, service, staff, key)
    connections.close_all()
    server = f"gunicorn -w {args.gunicorn_workers}"
    emit(bench="booking.api", server=server, clients=args.clients, processes=args.processes, **api)
    emit(bench="booking.healthz", server=server, clients=args.clients, **healthz)
    over_trivial = round(api["server_cpu_ms"] - healthz["server_cpu_ms"], 2)
    ratio = round(api["bookings_per_second"] / fair["bookings_per_second"], 3)
    emit(
        bench="booking.goals",
        server_cpu_over_trivial_ms=over_trivial,
        server_cpu_over_trivial_goal_ms=SERVER_OVER_TRIVIAL_GOAL_MS,
        postgres_cpu_ms=api["postgres_cpu_ms"],
        postgres_cpu_goal_ms=POSTGRES_GOAL_MS,
        p99_ms=api["p99_ms"],
        p99_goal_ms=P99_GOAL_MS,
        api_to_fair_floor=ratio,
        api_to_fair_floor_goal=RATIO_GOAL,
        api_to_old_floor=round(api["bookings_per_second"] / old["bookings_per_second"], 3),
        met={
            "server_cpu": over_trivial <= SERVER_OVER_TRIVIAL_GOAL_MS,
            "postgres_cpu": api["postgres_cpu_ms"] <= POSTGRES_GOAL_MS,
            "p99": api["p99_ms"] <= P99_GOAL_MS,
            "throughput": ratio >= RATIO_GOAL,
        },
        load_average=[round(load_at_start, 2), round(os.getloadavg()[0], 2)],
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
    )


if __name__ == "__main__":
    main()
