"""Observability: what the request middleware adds to every request, and what a scrape and a readiness probe
cost as the job table grows.

Prints JSON lines, each figure a median over timed calls after a warm-up, through Django's test client (the
Django side of a request, no HTTP server):
- `GET /healthz` with the full middleware stack and without `RequestObservation` (request id, timing, metrics,
  the access log line written to a discarded stream): the overhead per request;
- `GET /metrics` (the job gauges are read from the database at scrape time) and `GET /readyz` with an empty
  job table and beside `--crowd` future-dated pending jobs, 1% due ones and 1% dead ones; each crowded figure
  also as a ratio to the empty one of the same run.

    python bench/observability.py [--database-url sqlite:///var/rendez_bench_obs.sqlite3]
        [--crowd 100000] [--requests 2000] [--probes 50]

The database is recreated empty and migrated (bench/_setup.py), so its name must contain "bench".
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from _setup import ROOT, django_on, emit

WARM_UP = 50
KIND = "notifications.reminder"


def main() -> None:
    args = parse_args()
    django_on(args.database_url)
    from django.db import connection

    quiet_logs()
    database = connection.vendor
    with_it, without = request_overhead(args.requests)
    emit(
        bench="observability.request_overhead",
        database=database,
        healthz_median_us_with=round(with_it * 1e6, 1),
        healthz_median_us_without=round(without * 1e6, 1),
        overhead_us=round((with_it - without) * 1e6, 1),
        requests=args.requests,
    )
    empty = probe_costs(args.probes)
    add_jobs(args.crowd)
    crowded = probe_costs(args.probes)
    for path in empty:
        emit(
            bench="observability.probe",
            database=database,
            path=path,
            median_ms_empty=round(empty[path] * 1000, 2),
            median_ms_crowded=round(crowded[path] * 1000, 2),
            crowd=args.crowd,
            ratio=round(crowded[path] / empty[path], 2),
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    var = Path(os.environ.get("RENDEZ_VAR_DIR", ROOT / "var"))
    parser.add_argument("--database-url", default=f"sqlite:///{var / 'rendez_bench_obs.sqlite3'}")
    parser.add_argument("--crowd", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--probes", type=int, default=50)
    return parser.parse_args()


def quiet_logs() -> None:
    # The access line is formatted as in production, then dropped: the terminal is not what is measured.
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the process


def median_seconds(call: Callable[[], object], count: int) -> float:
    for _ in range(WARM_UP):
        call()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def request_overhead(count: int) -> tuple[float, float]:
    from django.conf import settings
    from django.test import Client, override_settings

    client = Client()
    bare = Client()
    # A client builds its middleware chain on its first request and keeps it.
    without_it = [entry for entry in settings.MIDDLEWARE if not entry.endswith("RequestObservation")]
    with override_settings(MIDDLEWARE=without_it):
        assert "X-Request-ID" not in bare.get("/healthz")
    assert "X-Request-ID" in client.get("/healthz")
    # Alternating halves, so a neighbour's load on the shared machine falls on both figures alike.
    with_it, without = [], []
    for _ in range(2):
        with_it.append(median_seconds(lambda: client.get("/healthz"), count // 2))
        without.append(median_seconds(lambda: bare.get("/healthz"), count // 2))
    return statistics.mean(with_it), statistics.mean(without)


def probe_costs(count: int) -> dict[str, float]:
    from django.test import Client

    client = Client()
    headers = {"Authorization": "Bearer bench-metrics-token"}
    return {
        "/metrics": median_seconds(lambda: client.get("/metrics", headers=headers), count),
        "/readyz": median_seconds(lambda: client.get("/readyz"), count),
    }


def add_jobs(count: int) -> None:
    """`count` reminders due in the coming month, 1% overdue by ten minutes, 1% dead."""
    from django.db import connection
    from django.utils import timezone

    from rendez.jobs.models import Job

    now = timezone.now()
    batch = []
    for number in range(count):
        if number % 100 == 0:
            state, run_after = Job.State.PENDING, now - timedelta(minutes=10)
        elif number % 100 == 1:
            state, run_after = Job.State.DEAD, now - timedelta(days=1)
        else:
            state, run_after = Job.State.PENDING, now + timedelta(minutes=number % 43_200)
        batch.append(Job(kind=KIND, key=f"booking:{number}", state=state, run_after=run_after))
        if len(batch) == 5000:
            Job.objects.bulk_create(batch)
            batch.clear()
    Job.objects.bulk_create(batch)
    # What autovacuum does after such an insert on a live PostgreSQL; the planner needs the statistics.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_job" if connection.vendor == "postgresql" else "ANALYZE")


if __name__ == "__main__":
    os.environ["RENDEZ_METRICS_TOKEN"] = "bench-metrics-token"
    main()
