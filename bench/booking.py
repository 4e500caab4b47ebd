"""Booking over HTTP: gunicorn on PostgreSQL, 16 concurrent clients booking distinct slots.

Prints bookings per second and p50/p99 latency of POST /api/v1/bookings.

    python bench/booking.py [--database-url postgres://postgres@127.0.0.1:5432/rendez_bench] [--clients 16]
        [--bookings-per-client 25] [--gunicorn-workers 4] [--staff 8]
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import subprocess
import sys
import threading
import time as clock
from datetime import UTC, datetime, timedelta

from _setup import ROOT, django_on, emit, make_tenant


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(database_url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "RENDEZ_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "rendez.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = clock.monotonic() + 30
    while clock.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            clock.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


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


def run_clients(base_url: str, key: str, service_id: int, work: list[list[tuple[int, str]]]):
    import httpx2

    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(work))

    def client(index: int, jobs: list[tuple[int, str]]) -> None:
        with httpx2.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
            barrier.wait()
            for n, (staff_id, start) in enumerate(jobs):
                body = {
                    "service_id": service_id,
                    "staff_id": staff_id,
                    "start": start,
                    "customer": {"name": f"Client {index}-{n}", "email": f"c{index}-{n}@bench.example"},
                }
                began = clock.perf_counter()
                response = http.post("/api/v1/bookings", json=body)
                elapsed = clock.perf_counter() - began
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != 201:
                        failures.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=client, args=(i, jobs)) for i, jobs in enumerate(work)]
    began = clock.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clock.perf_counter() - began, latencies, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/rendez_bench")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--bookings-per-client", type=int, default=25)
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--staff", type=int, default=8)
    args = parser.parse_args()
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one INFO line per request otherwise

    django_on(args.database_url)
    _, staff, service, key = make_tenant(staff_count=args.staff)
    total = args.clients * args.bookings_per_client
    slots = plan_slots(service, staff, total)
    work = [slots[i :: args.clients] for i in range(args.clients)]
    from django.db import connections

    connections.close_all()

    port = free_port()
    server = start_gunicorn(args.database_url, port, args.gunicorn_workers)
    try:
        elapsed, latencies, failures = run_clients(f"http://127.0.0.1:{port}", key, service.pk, work)
    finally:
        server.terminate()
        server.wait(10)
    latencies.sort()
    emit(
        bench="booking_http",
        database="postgresql",
        server=f"gunicorn -w {args.gunicorn_workers}",
        clients=args.clients,
        bookings=len(latencies),
        failed=len(failures),
        bookings_per_second=round(len(latencies) / elapsed, 1),
        p50_ms=round(statistics.median(latencies) * 1000, 1),
        p99_ms=round(latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000, 1),
        started=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    for failure in failures[:5]:
        print("failure:", failure, file=sys.stderr)


if __name__ == "__main__":
    main()
