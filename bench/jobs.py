"""Jobs (the outbox): what a claim costs beside other waiting jobs, enqueue-to-start latency, throughput.

Prints JSON lines:
- claim latency (in-process `claims.claim`, after a warm-up) on SQLite and on PostgreSQL with nothing else
  waiting, beside 100,000 future-dated jobs of a handled kind (reminders), and beside 100,000 due jobs of a
  kind this process has no handler for; then each crowded median as a ratio to the empty queue's, measured
  in the same run before and after the crowded ones;
- on PostgreSQL, latency p50/p99 from commit of `enqueue` to handler start, with LISTEN/NOTIFY and with
  polling only;
- on PostgreSQL, jobs per second with 1, 2 and 4 worker processes (one runner thread each), and 1 process
  with 4 threads.

    python bench/jobs.py [--database-url postgres://postgres@127.0.0.1:5432/rendez_bench_jobs]
        [--sqlite-url sqlite:///var/rendez_bench_jobs.sqlite3] [--only claims|workers]
        [--databases sqlite,postgresql] [--skip-analyze]
        [--crowd 100000] [--claims 300] [--warm-up 30]
        [--latency-jobs 200] [--throughput-jobs 5000] [--poll-interval 1.0]

The databases are recreated empty and migrated (bench/_setup.py), so their names must contain "bench".
Without --database-url: DATABASE_URL's server (if PostgreSQL) or the local one, database rendez_bench_jobs.
Each database's claim figures come from a process of its own (Django is set up once per process).
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
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _setup import ROOT, django_on, emit

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


UNHANDLED_KIND = "elsewhere.only"  # a kind no handler in this process knows


def default_sqlite_url() -> str:
    var = Path(os.environ.get("RENDEZ_VAR_DIR", ROOT / "var"))
    return f"sqlite:///{var / 'rendez_bench_jobs.sqlite3'}"


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
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM jobs_job")
        else:
            # CASCADE: delivery records point at jobs (none exist in a benchmark database).
            cursor.execute("TRUNCATE jobs_job CASCADE")


def wait_until_done(count: int, timeout: float = 300) -> None:
    from rendez.jobs.models import Job

    deadline = time.monotonic() + timeout
    while Job.objects.filter(state=Job.State.SUCCEEDED).count() < count:
        if time.monotonic() > deadline:
            raise SystemExit("jobs did not finish in time")
        time.sleep(0.05)


def measure_claim_cost(crowd: int, claims_timed: int, warm_up: int, analyze: bool) -> None:
    """Claim latency with nothing else waiting, beside `crowd` future-dated jobs, beside `crowd` due jobs of
    an unhandled kind, and with nothing waiting again (the floor is both empty runs together, so that the
    machine's drift during the run does not count for or against the crowds); each crowded median as a ratio
    to the floor's."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    crowds = {
        "future_dated": [
            dict(kind="jobs.noop", key=f"booking:{n}", run_after=now + timedelta(days=1, minutes=n))
            for n in range(crowd)
        ],
        "unhandled_due": [
            dict(kind=UNHANDLED_KIND, key=f"elsewhere:{n}", run_after=now - timedelta(minutes=n))
            for n in range(crowd)
        ],
    }
    vendor = connection.vendor
    analyze = analyze and vendor == "postgresql"
    floor = time_claims("empty", [], claims_timed, warm_up, analyze)
    medians = {
        name: time_claims(name, others, claims_timed, warm_up, analyze) for name, others in crowds.items()
    }
    floor += time_claims("empty_again", [], claims_timed, warm_up, analyze)
    floor_ms = statistics.median(floor)
    emit(
        bench="jobs.claim_cost_ratio",
        database=vendor,
        analyzed=analyze,
        crowd=crowd,
        empty_p50_ms=round(floor_ms, 3),
        future_dated_to_empty=round(statistics.median(medians["future_dated"]) / floor_ms, 2),
        unhandled_due_to_empty=round(statistics.median(medians["unhandled_due"]) / floor_ms, 2),
    )


def time_claims(name: str, others: list[dict], claims_timed: int, warm_up: int, analyze: bool) -> list[float]:
    """Fill the queue with `others` and due no-op jobs, claim (and finish) them one by one; returns the claim
    times in ms. Each claim is preceded by the same selection without the update (`next_claimable_id`),
    timed on its own: on PostgreSQL a claim's time is mostly its commit's flush to disk, which hides what the
    query reads."""
    from django.db import connection
    from django.utils import timezone

    from rendez.jobs import claims
    from rendez.jobs.models import Job

    clear_jobs()
    Job.objects.bulk_create((Job(payload={}, **fields) for fields in others), batch_size=5000)
    due = timezone.now() - timedelta(seconds=1)
    Job.objects.bulk_create(
        Job(kind="jobs.noop", key=f"due:{n}", payload={}, run_after=due, max_attempts=1)
        for n in range(warm_up + claims_timed)
    )
    if analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE jobs_job")  # autovacuum's job on a live database, sooner or later
    # Absent before the claim was rewritten: the script also times an older checkout for before/after figures.
    select_only = getattr(claims, "next_claimable_id", lambda: None)
    timings, picks = [], []
    for n in range(warm_up + claims_timed):
        started = time.perf_counter()
        select_only()
        picked = time.perf_counter()
        job = claims.claim(None, lease_seconds=60)
        claimed = time.perf_counter()
        if job is None or job.kind != "jobs.noop":
            raise SystemExit(f"claim {n} in {name} took {job!r} instead of a due no-op job")
        claims.record_success(job)
        if n >= warm_up:
            picks.append((picked - started) * 1000)
            timings.append((claimed - picked) * 1000)
    emit(
        bench="jobs.claim_latency",
        database=connection.vendor,
        analyzed=analyze,
        waiting=name,
        other_jobs=len(others),
        claims=claims_timed,
        p50_ms=round(statistics.median(timings), 3),
        p99_ms=round(statistics.quantiles(timings, n=100)[98], 3),
        mean_ms=round(statistics.fmean(timings), 3),
        select_only_p50_ms=round(statistics.median(picks), 3),
    )
    return timings


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
    parser.add_argument("--sqlite-url", default=default_sqlite_url())
    parser.add_argument("--only", choices=["claims", "workers"])
    parser.add_argument("--crowd", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=300)
    parser.add_argument("--warm-up", type=int, default=30, help="claims made before timing")
    parser.add_argument("--latency-jobs", type=int, default=200)
    parser.add_argument("--throughput-jobs", type=int, default=5000)
    parser.add_argument("--poll-interval", type=float, default=1.0)
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="where to time claims (comma separated)"
    )
    parser.add_argument(
        "--skip-analyze",
        action="store_true",
        help="time PostgreSQL claims on the statistics it has (none yet) instead of fresh ones",
    )
    parser.add_argument("--claim-cost-on", help=argparse.SUPPRESS)  # the child process of one database
    args = parser.parse_args()
    if args.claim_cost_on:
        django_on(args.claim_cost_on)
        measure_claim_cost(args.crowd, args.claims, args.warm_up, analyze=not args.skip_analyze)
        clear_jobs()
        return
    if not args.database_url.startswith("postgres"):
        raise SystemExit(
            "bench/jobs.py measures PostgreSQL (LISTEN/NOTIFY, SKIP LOCKED): give a postgres:// URL"
        )
    if args.only != "workers":
        urls = {"sqlite": args.sqlite_url, "postgresql": args.database_url}
        for database in args.databases.split(","):
            child = [sys.executable, __file__, "--claim-cost-on", urls[database], "--crowd", str(args.crowd)]
            child += ["--claims", str(args.claims), "--warm-up", str(args.warm_up)]
            subprocess.run(child + (["--skip-analyze"] if args.skip_analyze else []), check=True)
    if args.only == "claims":
        return
    django_on(args.database_url)
    measure_latency("listen_notify", args.latency_jobs, args.poll_interval)
    measure_latency("polling_only", args.latency_jobs, args.poll_interval)
    for processes in (1, 2, 4):
        measure_throughput(processes, 1, args.throughput_jobs)
    measure_throughput(1, 4, args.throughput_jobs)
    clear_jobs()


if __name__ == "__main__":
    main()
