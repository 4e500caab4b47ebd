"""SQLite writers queue in one process-wide FIFO (rendez/lib/write_lock.py, rendez/lib/sqlite/base.py).

No sleeps and no timing: threads line up through `wait_for_waiters` and events, and the order is asserted.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from rendez import jobs
from rendez.jobs.models import Job
from rendez.lib.write_lock import WRITE_LOCK, FairLock

# The write queue is SQLite's: deselected on PostgreSQL (conftest.py), never skipped.
on_sqlite = pytest.mark.sqlite


def in_thread(target: Callable[[], None]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_writers_get_the_lock_in_the_order_they_asked() -> None:
    lock = FairLock()
    order: list[int] = []

    def writer(number: int) -> None:
        with lock:
            order.append(number)

    lock.acquire()
    threads = []
    for number in range(8):
        threads.append(in_thread(functools.partial(writer, number)))
        assert lock.wait_for_waiters(number + 1, timeout=10)  # queued behind the ones before it
    lock.release()
    for thread in threads:
        thread.join(10)
    assert order == list(range(8))


def test_a_newcomer_cannot_jump_the_queue_at_release() -> None:
    lock = FairLock()
    got_it = threading.Event()
    finish = threading.Event()

    def waiter() -> None:
        with lock:
            got_it.set()
            finish.wait(10)

    lock.acquire()
    thread = in_thread(waiter)
    assert lock.wait_for_waiters(1, timeout=10)
    lock.release()
    # Handed to the waiter on release, whether or not its thread has run yet: nothing is free to take.
    assert lock.acquire(timeout=0) is False
    assert got_it.wait(10)
    finish.set()
    thread.join(10)
    assert lock.acquire(timeout=0) is True
    lock.release()


def test_giving_up_leaves_the_queue() -> None:
    lock = FairLock()
    lock.acquire()
    assert lock.acquire(timeout=0) is False
    assert lock.waiting() == 0
    lock.release()
    with pytest.raises(RuntimeError):
        lock.release()


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_writing_transaction_begins_immediate_and_holds_the_queue_until_commit() -> None:
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        jobs.enqueue("tests.record", {"n": 1})
        assert WRITE_LOCK.acquire(timeout=0) is False  # ours until COMMIT
    assert queries.captured_queries[0]["sql"] == "BEGIN IMMEDIATE"
    assert WRITE_LOCK.acquire(timeout=0) is True
    WRITE_LOCK.release()


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_failed_transaction_lets_go_of_the_queue() -> None:
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        jobs.enqueue("tests.record", {"n": 1})
        1 / 0  # noqa: B018
    assert WRITE_LOCK.acquire(timeout=0) is True
    WRITE_LOCK.release()
    assert not Job.objects.filter(kind="tests.record").exists()


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_readers_are_not_blocked_while_a_writer_holds_the_queue() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    jobs.enqueue("tests.record", {"n": 1})
    inside, finish = threading.Event(), threading.Event()

    def writer() -> None:
        with transaction.atomic():
            jobs.enqueue("tests.record", {"n": 2})
            inside.set()
            finish.wait(30)

    thread = in_thread(writer)
    assert inside.wait(30)
    # The writer is mid-transaction and holds the queue: this read neither queues nor sees its row.
    assert WRITE_LOCK.acquire(timeout=0) is False
    assert Job.objects.filter(kind="tests.record").count() == 1
    finish.set()
    thread.join(30)
    assert Job.objects.filter(kind="tests.record").count() == 2


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_an_autocommit_write_queues_behind_a_transaction() -> None:
    job = jobs.enqueue("tests.record", {"n": 1})
    inside, finish = threading.Event(), threading.Event()
    order: list[str] = []

    def transaction_writer() -> None:
        with transaction.atomic():
            jobs.enqueue("tests.record", {"n": 2})
            inside.set()
            finish.wait(30)
            order.append("transaction")

    def autocommit_writer() -> None:
        Job.objects.filter(pk=job.pk).update(max_attempts=9)  # one statement, no atomic
        order.append("update")

    first = in_thread(transaction_writer)
    assert inside.wait(30)
    second = in_thread(autocommit_writer)
    assert WRITE_LOCK.wait_for_waiters(1, timeout=30)
    finish.set()
    first.join(30)
    second.join(30)
    assert order == ["transaction", "update"]
    assert Job.objects.get(pk=job.pk).max_attempts == 9


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_cannot_get_its_turn_fails_like_a_locked_database() -> None:
    from django.db import OperationalError

    holding, finish = threading.Event(), threading.Event()

    def writer() -> None:
        with transaction.atomic():
            jobs.enqueue("tests.record", {"n": 1})
            holding.set()
            finish.wait(30)

    thread = in_thread(writer)
    assert holding.wait(30)
    wrapper: Any = connection
    timeout = wrapper.queue_timeout
    wrapper.queue_timeout = 0  # give up at once instead of after the configured 20 s
    try:
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
            pass
    finally:
        wrapper.queue_timeout = timeout
        finish.set()
        thread.join(30)
