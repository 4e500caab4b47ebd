"""Job kinds used by the tests. Subprocess workers import this via RENDEZ_JOBS_EXTRA_MODULES."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

from django.db import connection

from rendez.jobs import Instant, Payload, PermanentError, Retry, handler
from rendez.jobs.models import Job

INTERVAL_TABLE = "jobs_test_interval"
# Jobs run in-process by a test append their payloads here.
calls: list[dict[str, Any]] = []
# While True, `tests.fragile` fails: lets a test drive a job to dead, "fix the bug", and re-run it.
fragile_broken = {"value": True}


class Counted(Payload):
    """The payload of `tests.typed`."""

    n: int
    label: str = ""
    when: Instant | None = None


# `tests.typed` appends the payload instances it receives here.
typed_calls: list[Counted] = []


@handler("tests.typed", payload=Counted)
def typed(payload: Counted, job: Job) -> None:
    typed_calls.append(payload)


@handler("tests.record")
def record(payload: dict[str, Any], job: Job) -> None:
    calls.append(payload)


@handler("tests.fail", max_attempts=3)
def fail(payload: dict[str, Any], job: Job) -> None:
    raise RuntimeError("boom")


@handler("tests.fragile", max_attempts=2)
def fragile(payload: dict[str, Any], job: Job) -> None:
    if fragile_broken["value"]:
        raise ConnectionError("vendor unreachable")
    calls.append(payload)


@handler("tests.retry_after")
def retry_after(payload: dict[str, Any], job: Job) -> None:
    raise Retry(after=payload["after"], reason="429 Too Many Requests")


@handler("tests.defer", max_attempts=1)
def defer(payload: dict[str, Any], job: Job) -> None:
    raise Retry(after=60, reason="daily cap reached", consume_attempt=False)


@handler("tests.permanent")
def permanent(payload: dict[str, Any], job: Job) -> None:
    raise PermanentError("grant revoked")


@handler("tests.interval", queue="ordering")
def interval(payload: dict[str, Any], job: Job) -> None:
    """Hold the job a moment and record [start, end] in a table, to check ordering and overlap per key."""
    started = time.time()
    time.sleep(random.uniform(0.002, 0.015))
    finished = time.time()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {INTERVAL_TABLE} (job_key, seq, started, finished, pid) "
            "VALUES (%s, %s, %s, %s, %s)",
            [job.key, payload["seq"], started, finished, os.getpid()],
        )


@handler("tests.gate")
def gate(payload: dict[str, Any], job: Job) -> None:
    """Say that it started, wait for the gate file (or until `sleep` passes), then record the effect once."""
    Path(payload["started"]).write_text(str(os.getpid()))
    deadline = time.monotonic() + payload.get("sleep", 60)
    while time.monotonic() < deadline and not ("gate" in payload and Path(payload["gate"]).exists()):
        time.sleep(0.05)
    with open(payload["effect"], "a") as effect:
        effect.write(f"{job.pk} attempt {job.attempts} pid {os.getpid()}\n")


@handler("tests.slow", max_attempts=2, time_limit=0.3)
def slow(payload: dict[str, Any], job: Job) -> None:
    """Outlive the kind's 0.3 s limit, then record that the attempt ran to its end anyway."""
    time.sleep(payload["sleep"])
    calls.append({"finished_attempt": job.attempts})


def create_interval_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {INTERVAL_TABLE} "
            "(job_key varchar(200), seq integer, started double precision, finished double precision, "
            "pid integer)"
        )
        cursor.execute(f"DELETE FROM {INTERVAL_TABLE}")


def read_intervals() -> list[tuple[str, int, float, float, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT job_key, seq, started, finished, pid FROM {INTERVAL_TABLE} ORDER BY started")
        return [tuple(row) for row in cursor.fetchall()]  # type: ignore[misc]


@handler("tests.spawn")
def spawn(payload: dict[str, Any], job: Job) -> None:
    """Enqueues a follow-up: with `tenant_id` in the payload it names that tenant, else none."""
    from rendez.jobs import enqueue

    enqueue("tests.record", {"spawned_by": job.pk}, tenant_id=payload.get("tenant_id"))
