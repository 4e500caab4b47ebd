"""Real `manage.py worker` processes against the PostgreSQL test database: crashes, shutdown, NOTIFY."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from rendez import jobs
from rendez.jobs.models import Job
from rendez.jobs.tests import handlers
from rendez.jobs.tests.test_ordering import (
    JOBS_PER_KEY,
    KEYS,
    assert_keys_ran_in_parallel,
    assert_ordered_without_overlap,
    enqueue_interleaved,
    wait_until_all_done,
)
from rendez.tests.processes import kill_group, spawn, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
State = Job.State


def subprocess_database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{quote(db['USER'])}{password}@{host}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, log: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.log = log
        environment = {
            **os.environ,
            "DATABASE_URL": subprocess_database_url(),
            "RENDEZ_JOBS_EXTRA_MODULES": "rendez.jobs.tests.handlers",
            "RENDEZ_JOBS_LEASE_SECONDS": "2",
            "RENDEZ_JOBS_POLL_INTERVAL": "0.2",
            **(env or {}),
        }
        self.process = spawn([sys.executable, "manage.py", "worker", *args], log=log, env=environment)
        wait_for(lambda: "worker ready" in self.output(), timeout=20, what=f"worker ready\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text()

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float = 20) -> int:
        return self.process.wait(timeout)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(*args: str, env: dict[str, str] | None = None) -> WorkerProcess:
        worker = WorkerProcess(tmp_path / f"worker-{len(started)}.log", *args, env=env)
        started.append(worker)
        return worker

    yield start
    # Stop them before the database is flushed under them.
    for worker in started:
        if worker.process.poll() is None:
            kill_group(worker.process)
            worker.process.wait(10)


def gate_payload(tmp_path: Path, **extra: object) -> dict[str, object]:
    return {"started": str(tmp_path / "started"), "effect": str(tmp_path / "effect"), **extra}


def test_a_worker_killed_mid_job_loses_nothing_another_completes_it_once(
    tmp_path: Path, start_worker: Callable[..., WorkerProcess]
) -> None:
    payload = gate_payload(tmp_path, gate=str(tmp_path / "gate"))
    job = jobs.enqueue("tests.gate", payload)
    doomed = start_worker()
    wait_for((tmp_path / "started").exists, timeout=10, what="the handler to start")

    doomed.signal(signal.SIGKILL)
    assert doomed.wait() == -signal.SIGKILL
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.RUNNING, 1)  # nobody recorded anything

    (tmp_path / "gate").touch()
    start_worker()
    wait_for(
        lambda: Job.objects.get(pk=job.pk).state == State.SUCCEEDED, timeout=15, what="the job to finish"
    )

    job.refresh_from_db()
    assert job.attempts == 2
    assert job.last_error == ""  # the lost attempt's "lease expired" is history once it succeeded
    effects = (tmp_path / "effect").read_text().splitlines()
    assert effects == [f"{job.pk} attempt 2 pid {(tmp_path / 'started').read_text()}"]


def test_sigterm_finishes_the_job_in_hand_then_exits_cleanly(
    tmp_path: Path, start_worker: Callable[..., WorkerProcess]
) -> None:
    job = jobs.enqueue("tests.gate", gate_payload(tmp_path, sleep=1.5))
    worker = start_worker()
    wait_for((tmp_path / "started").exists, timeout=10, what="the handler to start")

    worker.signal(signal.SIGTERM)

    assert worker.wait() == 0, worker.output()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.SUCCEEDED, 1)
    assert len((tmp_path / "effect").read_text().splitlines()) == 1
    assert "worker stopped" in worker.output()


def test_sigterm_stops_an_idle_worker_promptly(start_worker: Callable[..., WorkerProcess]) -> None:
    worker = start_worker("--poll-interval", "30")
    worker.signal(signal.SIGTERM)
    assert worker.wait(timeout=5) == 0


# An hour: within the test's wait no poll can come, so a job that runs was woken by its NOTIFY. (No clock is
# compared: a loaded machine makes the run slower, never wrongly green or red.)
POLL = 3600.0


def test_notify_wakes_an_idle_worker_that_would_not_poll_for_an_hour(
    start_worker: Callable[..., WorkerProcess],
) -> None:
    start_worker("--poll-interval", str(POLL))
    # A first job, claimed by the runner's first look, done: the runner is now idle, waiting for a wake-up.
    first = jobs.enqueue("jobs.noop", {})
    wait_for(lambda: Job.objects.get(pk=first.pk).state == State.SUCCEEDED, 20, "the first job to run")

    job = jobs.enqueue("jobs.noop", {})

    wait_for(lambda: Job.objects.get(pk=job.pk).state == State.SUCCEEDED, 20, "the NOTIFY to wake the worker")


def test_four_worker_processes_keep_per_key_order_and_never_overlap_a_key(
    start_worker: Callable[..., WorkerProcess],
) -> None:
    handlers.create_interval_table()
    for _ in range(4):
        start_worker("--queues", "ordering")

    enqueue_interleaved()
    wait_until_all_done(len(KEYS) * JOBS_PER_KEY)

    intervals = handlers.read_intervals()
    assert len({pid for *_, pid in intervals}) > 1, "a single process did all the work"
    assert_ordered_without_overlap(intervals)
    assert_keys_ran_in_parallel(intervals)
