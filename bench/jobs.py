"""Jobs (the outbox) on PostgreSQL: enqueue-to-start latency and throughput of no-op jobs.

Prints JSON lines:
- latency p50/p99 from commit of `enqueue` to handler start, with LISTEN/NOTIFY and with polling only;
- jobs per second with 1, 2 and 4 worker processes (one runner thread each), and 1 process with 4 threads.

    python bench/jobs.py [--database-url postgres://postgres@127.0.0.1:5432/rendez_bench_jobs]
        [--latency-jobs 200] [--throughput-jobs 5000] [--poll-interval 1.0]

The database is recreated empty and migrated (bench/_setup.py), so its name must contain "bench". Without
--database-url: DATABASE_URL's server (if PostgreSQL) or the local one, database rendez_bench_jobs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _setup import ROOT, django_on, emit

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def default_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    server = urlunsplit(urlsplit(url)._replace(path="")) if url.startswith("postgres") else DEFAULT_SERVER
    return f"{server}/rendez_bench_jobs"


class Workers:
    """`manage.py worker` processes, started and ready (listening) before any job is enqueued."""

    def __init__(self, count: int, *args: str, env: dict[str, str] | None = None) -> None:
        self.logs = tempfile.TemporaryDirectory(prefix="rendez-bench-jobs-")
        environment = {**os.environ, "RENDEZ_LOG_LEVEL": "WARNING", **(env or {})}
        self.processes = []
        for n in range(count):
            log = open(Path(self.logs.name) / f"worker-{n}.log", "w")  # noqa: SIM115 - lives as long as the process
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "worker", *args],
                    cwd=ROOT,
                    env=environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 30
        for n in range(count):
            while "worker ready" not in (Path(self.logs.name) / f"worker-{n}.log").read_text():
                if time.monotonic() > deadline:
                    raise SystemExit(f"worker {n} did not start")
                time.sleep(0.05)
        time.sleep(0.3)  # let every runner finish its first look and go idle

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(30)
        self.logs.cleanup()


def clear_jobs() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # CASCADE: delivery records point at jobs (none exist in a benchmark database).
        cursor.execute("TRUNCATE jobs_job CASCADE")


def wait_until_done(count: int, timeout: float = 300) -> None:
    from rendez.jobs.models import Job

    deadline = time.monotonic() + timeout
    while Job.objects.filter(state=Job.State.SUCCEEDED).count() < count:
        if time.monotonic() > deadline:
            raise SystemExit("jobs did not finish in time")
        time.sleep(0.05)


def measure_latency(mode: str, jobs: int, poll_interval: float) -> None:
    """Enqueue one job at a time at random gaps (the worker is idle when each arrives); time its start."""
    from rendez import jobs as outbox
    from rendez.jobs.models import Job

    clear_jobs()
    env = {"RENDEZ_JOBS_LISTEN": "1" if mode == "listen_notify" else "0"}
    workers = Workers(1, "--poll-interval", str(poll_interval), env=env)
    try:
        for _ in range(jobs):
            outbox.enqueue("jobs.noop", {})
            time.sleep(random.uniform(0.005, 0.025))
        wait_until_done(jobs)
    finally:
        workers.stop()
    waits = [
        (started - created).total_seconds() * 1000
        for created, started in Job.objects.values_list("created_at", "started_at")
    ]
    cuts = statistics.quantiles(waits, n=100)
    emit(
        bench="jobs.enqueue_to_start_latency",
        mode=mode,
        poll_interval_s=poll_interval,
        jobs=jobs,
        p50_ms=round(cuts[49], 2),
        p99_ms=round(cuts[98], 2),
    )


def measure_throughput(processes: int, concurrency: int, jobs: int) -> None:
    """Workers idle and listening; then `jobs` no-op jobs land in one transaction and are drained."""
    from django.db import connection, transaction
    from django.db.models import Max, Min
    from django.utils import timezone

    from rendez.jobs.models import Job

    clear_jobs()
    workers = Workers(processes, "--concurrency", str(concurrency))
    try:
        started = time.monotonic()
        with transaction.atomic():
            now = timezone.now()
            Job.objects.bulk_create(
                [Job(kind="jobs.noop", payload={}, run_after=now, max_attempts=1) for _ in range(jobs)],
                batch_size=1000,
            )
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify('rendez_jobs', 'default')")
        wait_until_done(jobs)
        wall = time.monotonic() - started
    finally:
        workers.stop()
    span = Job.objects.aggregate(first=Min("started_at"), last=Max("finished_at"))
    busy = (span["last"] - span["first"]).total_seconds()
    emit(
        bench="jobs.throughput",
        processes=processes,
        threads_per_process=concurrency,
        jobs=jobs,
        jobs_per_s=round(jobs / busy, 1),
        wall_s=round(wall, 2),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=default_database_url())
    parser.add_argument("--latency-jobs", type=int, default=200)
    parser.add_argument("--throughput-jobs", type=int, default=5000)
    parser.add_argument("--poll-interval", type=float, default=1.0)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit(
            "bench/jobs.py measures PostgreSQL (LISTEN/NOTIFY, SKIP LOCKED): give a postgres:// URL"
        )
    django_on(args.database_url)

    measure_latency("listen_notify", args.latency_jobs, args.poll_interval)
    measure_latency("polling_only", args.latency_jobs, args.poll_interval)
    for processes in (1, 2, 4):
        measure_throughput(processes, 1, args.throughput_jobs)
    measure_throughput(1, 4, args.throughput_jobs)
    clear_jobs()


if __name__ == "__main__":
    main()
