"""The embedded worker gets its turn at SQLite's write lock under a steady stream of writers.

Ten threads write in a loop (each write its own IMMEDIATE transaction) and never pause; a worker started in
the same process must still claim and finish a job meanwhile. Ordering by events only: the writers are
known to be writing before the worker starts, and are still writing after the job is done.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from rendez import jobs
from rendez.jobs.models import Job
from rendez.jobs.tests import handlers
from rendez.jobs.worker import Worker

# SQLite's write queue: deselected on PostgreSQL (conftest.py), never skipped.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sqlite]
WRITERS = 10


def test_a_worker_claims_and_finishes_a_job_while_ten_threads_keep_writing() -> None:
    stop = threading.Event()
    writes = [0] * WRITERS
    started = [threading.Event() for _ in range(WRITERS)]
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            while not stop.is_set():
                with transaction.atomic():
                    Job.objects.filter(kind="tests.never", pk=-number).update(attempts=0)
                writes[number] += 1
                started[number].set()
        except BaseException as exc:  # surfaced below: a writer that failed proves nothing
            failures.append(exc)
            started[number].set()
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for event in started:
        assert event.wait(60)

    job = jobs.enqueue("tests.record", {"turn": "worker"})
    done = threading.Event()
    worker = Worker(concurrency=1, listen=False, poll_interval=0.05)

    worker.start()
    try:
        while not done.is_set():
            if Job.objects.filter(pk=job.pk, state=Job.State.SUCCEEDED).exists():
                done.set()
            else:
                done.wait(0.05)
            assert not failures, failures
        writes_when_done = sum(writes)
        # The writers were never held up for the worker: they carry on writing after it is done.
        while sum(writes) <= writes_when_done + WRITERS:
            assert not failures, failures
            threading.Event().wait(0.01)
    finally:
        stop.set()
        worker.stop(timeout=30)
        for thread in threads:
            thread.join(30)
    assert handlers.calls == [{"turn": "worker"}]
    assert not failures
