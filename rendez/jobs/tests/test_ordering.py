"""Jobs sharing a key under four concurrent runners: start in enqueue order, never overlap."""

from __future__ import annotations

import time
from collections import defaultdict

import pytest

from rendez import jobs
from rendez.jobs.models import Job
from rendez.jobs.tests import handlers
from rendez.jobs.worker import Worker
from rendez.tests.processes import wait_for

# Fewer keys than runners, so runners free of the key rule would pick up jobs of the same key together.
KEYS = [f"appointment:{n}" for n in range(3)]
JOBS_PER_KEY = 10


def assert_ordered_without_overlap(intervals: list[tuple[str, int, float, float, int]]) -> None:
    by_key: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
    for key, seq, started, finished, _pid in intervals:
        by_key[key].append((seq, started, finished))
    assert sorted(by_key) == KEYS
    for key, runs in by_key.items():
        runs.sort(key=lambda run: run[1])
        assert [seq for seq, _, _ in runs] == list(range(JOBS_PER_KEY)), f"{key} started out of order"
        for (_, _, previous_end), (seq, start, _) in zip(runs, runs[1:], strict=False):
            assert start >= previous_end, f"{key}: job {seq} started before its predecessor finished"


def assert_keys_ran_in_parallel(intervals: list[tuple[str, int, float, float, int]]) -> None:
    # Otherwise the ordering above would hold trivially.
    overlapping = any(
        a[0] != b[0] and a[2] < b[3] and b[2] < a[3]
        for i, a in enumerate(intervals)
        for b in intervals[i + 1 :]
    )
    assert overlapping, "no two jobs ever ran at the same time: the runners were not concurrent"


def enqueue_interleaved() -> None:
    for seq in range(JOBS_PER_KEY):
        for key in KEYS:
            jobs.enqueue("tests.interval", {"seq": seq}, key=key)
        time.sleep(0.005)  # keep enqueueing while the runners work


def wait_until_all_done(expected: int, timeout: float = 30) -> None:
    def done() -> bool:
        return Job.objects.filter(state=Job.State.SUCCEEDED).count() == expected

    wait_for(done, timeout, f"{expected} jobs to be done")


@pytest.mark.django_db(transaction=True)
def test_four_runner_threads_keep_per_key_order_and_never_overlap_a_key() -> None:
    handlers.create_interval_table()
    worker = Worker(concurrency=4, poll_interval=0.05, queues=["ordering"])
    worker.start()
    try:
        enqueue_interleaved()
        wait_until_all_done(len(KEYS) * JOBS_PER_KEY)
    finally:
        worker.stop(timeout=10)

    intervals = handlers.read_intervals()
    assert len(intervals) == len(KEYS) * JOBS_PER_KEY
    assert_ordered_without_overlap(intervals)
    assert_keys_ran_in_parallel(intervals)
