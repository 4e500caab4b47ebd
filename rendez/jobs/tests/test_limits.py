"""Bounds on the outbox: finished jobs pruned after the retention period, handlers held to a time limit."""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from rendez import jobs
from rendez.jobs import retention
from rendez.jobs.models import Job
from rendez.jobs.tests import handlers
from rendez.jobs.worker import Worker
from rendez.tests.processes import wait_for

State = Job.State
FINISHED = [State.SUCCEEDED, State.CANCELLED, State.DEAD]


def finished_jobs(count: int, state: str, days_ago: float) -> list[Job]:
    finished_at = timezone.now() - timedelta(days=days_ago)
    return Job.objects.bulk_create(
        Job(kind="tests.record", state=state, run_after=finished_at, finished_at=finished_at)
        for _ in range(count)
    )


@pytest.mark.django_db
class TestRetention:
    def test_finished_jobs_past_the_period_go_and_the_rest_stay(self) -> None:
        for state in FINISHED:
            finished_jobs(2, state, days_ago=31)
        recent = finished_jobs(1, State.SUCCEEDED, days_ago=29)
        waiting = jobs.enqueue("tests.record", {}, run_after=timezone.now() - timedelta(days=40))

        assert retention.prune_finished(timedelta(days=30)) == 6

        assert set(Job.objects.values_list("pk", flat=True)) == {recent[0].pk, waiting.pk}

    def test_it_deletes_in_batches(self) -> None:
        finished_jobs(retention.BATCH_SIZE + 20, State.SUCCEEDED, days_ago=40)

        assert retention.prune_finished(timedelta(days=30), max_batches=1) == retention.BATCH_SIZE
        assert retention.prune_finished(timedelta(days=30)) == 20
        assert not Job.objects.exists()

    @override_settings(JOBS_RETENTION_DAYS=7)
    def test_a_worker_prunes_as_it_claims(self) -> None:
        finished_jobs(1, State.DEAD, days_ago=8)
        kept = finished_jobs(1, State.DEAD, days_ago=6)[0]

        Worker(listen=False).run_once()

        assert list(Job.objects.values_list("pk", flat=True)) == [kept.pk]

    @override_settings(JOBS_RETENTION_DAYS=0)
    def test_a_retention_of_zero_keeps_everything(self) -> None:
        finished_jobs(1, State.SUCCEEDED, days_ago=3650)
        Worker(listen=False).run_once()
        assert Job.objects.count() == 1

    def test_the_prune_command(self) -> None:
        finished_jobs(3, State.CANCELLED, days_ago=3)
        out = StringIO()

        call_command("jobs", "prune", "--older-than-days", "2", stdout=out)

        assert out.getvalue() == "3 finished job(s) older than 2 days deleted\n"
        assert not Job.objects.exists()


# Outside a test transaction: the heartbeat thread that enforces limits writes from its own connection.
@pytest.mark.django_db(transaction=True)
@override_settings(JOBS_BACKOFF_BASE=0.05, JOBS_BACKOFF_MAX=0.05)
def test_a_handler_past_its_time_limit_is_abandoned_retried_and_dead_lettered() -> None:
    job = jobs.enqueue("tests.slow", {"sleep": 1.5})  # time_limit=0.3, max_attempts=2
    worker = Worker(concurrency=1, poll_interval=0.05, listen=False)
    worker.start()
    try:
        # The second attempt can only start while the first still sleeps if a runner replaced the stuck one.
        wait_for(lambda: Job.objects.get(pk=job.pk).state == State.DEAD, timeout=5, what="dead letter")
        job.refresh_from_db()
        assert (job.attempts, job.max_attempts) == (2, 2)
        assert "TimeLimitExceeded: tests.slow ran longer than its time limit of 0.3 s" in job.last_error
        assert handlers.calls == []
    finally:
        worker.stop(timeout=5)

    # The abandoned attempts run to their end; what they then report is ignored.
    wait_for(lambda: len(handlers.calls) == 2, timeout=5, what="the abandoned handlers to return")
    time.sleep(0.1)
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.DEAD, 2)
    assert "TimeLimitExceeded" in job.last_error


@pytest.mark.django_db(transaction=True)
def test_a_stop_waits_no_longer_than_the_time_limit_for_a_stuck_handler() -> None:
    job = jobs.enqueue("tests.slow", {"sleep": 2})  # time_limit=0.3
    worker = Worker(concurrency=1, poll_interval=0.05, listen=False)
    worker.start()
    wait_for(lambda: Job.objects.get(pk=job.pk).state == State.RUNNING, timeout=5, what="the job to start")

    worker.stop()

    # The handler sleeps 2 s and has not returned yet: the stop waited for its time limit (0.3 s), not for it.
    assert handlers.calls == []
    job.refresh_from_db()
    assert job.state == State.PENDING and "TimeLimitExceeded" in job.last_error
    wait_for(lambda: len(handlers.calls) == 1, timeout=5, what="the abandoned handler to return")
