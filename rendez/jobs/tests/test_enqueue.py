from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from rendez import jobs
from rendez.jobs import claims
from rendez.jobs.models import Job

State = Job.State


class Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_job() -> None:
    with pytest.raises(Rollback), transaction.atomic():
        jobs.enqueue("tests.record", {"booking_id": 1})
        raise Rollback

    assert Job.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_committed_transaction_leaves_exactly_one_job() -> None:
    with transaction.atomic():
        job = jobs.enqueue("tests.record", {"booking_id": 1}, key="booking:1")

    stored = Job.objects.get()
    assert stored.pk == job.pk
    assert (stored.kind, stored.key, stored.payload, stored.state) == (
        "tests.record",
        "booking:1",
        {"booking_id": 1},
        State.PENDING,
    )
    assert stored.attempts == 0
    assert stored.run_after <= timezone.now()


@pytest.mark.django_db
def test_it_takes_queue_and_attempt_limit_from_the_handler_registration() -> None:
    assert jobs.enqueue("tests.fail", {}).max_attempts == 3
    assert jobs.enqueue("tests.interval", {"seq": 1}).queue == "ordering"
    assert jobs.enqueue("tests.record", {}, queue="mail").queue == "mail"


@pytest.mark.django_db
def test_an_unregistered_kind_gets_the_defaults() -> None:
    job = jobs.enqueue("nobody.handles.this", {})

    assert (job.queue, job.max_attempts) == ("default", 8)


@pytest.mark.django_db
def test_a_payload_that_is_not_json_is_refused_at_enqueue() -> None:
    with pytest.raises(TypeError):
        jobs.enqueue("tests.record", {"when": timezone.now()})
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_a_waiting_job_absorbs_a_coalescing_enqueue_of_the_same_kind_and_key() -> None:
    later = timezone.now() + timedelta(minutes=5)
    first = jobs.enqueue("tests.record", {"v": 1}, key="appointment:7", coalesce=True, run_after=later)
    second = jobs.enqueue("tests.record", {"v": 2}, key="appointment:7", coalesce=True)

    assert second.pk == first.pk
    job = Job.objects.get()
    assert job.payload == {"v": 2}
    assert job.run_after < later  # the earlier of the two: the newer request wants it now


@pytest.mark.django_db
def test_coalescing_is_per_kind_and_key() -> None:
    jobs.enqueue("tests.record", {}, key="appointment:7", coalesce=True)
    jobs.enqueue("tests.record", {}, key="appointment:8", coalesce=True)
    jobs.enqueue("tests.fail", {}, key="appointment:7", coalesce=True)

    assert Job.objects.count() == 3


@pytest.mark.django_db
def test_without_coalesce_the_same_kind_and_key_are_separate_jobs() -> None:
    jobs.enqueue("tests.record", {}, key="booking:1")
    jobs.enqueue("tests.record", {}, key="booking:1")

    assert Job.objects.count() == 2


@pytest.mark.django_db
def test_a_running_job_does_not_absorb_a_change_a_new_one_waits() -> None:
    jobs.enqueue("tests.record", {"v": 1}, key="appointment:7", coalesce=True)
    running = claims.claim(None, lease_seconds=60)
    assert running is not None

    added = jobs.enqueue("tests.record", {"v": 2}, key="appointment:7", coalesce=True)
    again = jobs.enqueue("tests.record", {"v": 3}, key="appointment:7", coalesce=True)

    assert added.pk != running.pk
    assert again.pk == added.pk
    assert Job.objects.filter(state=State.PENDING).get().payload == {"v": 3}


@pytest.mark.django_db
def test_a_retrying_job_does_not_absorb_a_change_either() -> None:
    jobs.enqueue("tests.fail", {"v": 1}, key="appointment:7", coalesce=True)
    job = claims.claim(None, lease_seconds=60)
    assert job is not None
    claims.record_failure(job, RuntimeError("boom"))

    added = jobs.enqueue("tests.fail", {"v": 2}, key="appointment:7", coalesce=True)

    assert added.pk != job.pk
    assert Job.objects.filter(state=State.PENDING).count() == 2


def test_coalescing_needs_a_key() -> None:
    with pytest.raises(ValueError, match="needs a key"):
        jobs.enqueue("tests.record", {}, coalesce=True)


@pytest.mark.django_db
def test_cancel_drops_the_pending_jobs_of_that_kind_and_key_only() -> None:
    reminder = jobs.enqueue("tests.record", {}, key="booking:1", run_after=timezone.now() + timedelta(days=1))
    other_kind = jobs.enqueue("tests.fail", {}, key="booking:1")
    other_key = jobs.enqueue("tests.record", {}, key="booking:2")

    assert jobs.cancel("tests.record", "booking:1") == 1

    reminder.refresh_from_db()
    assert reminder.state == State.CANCELLED
    assert reminder.finished_at is not None
    assert Job.objects.get(pk=other_kind.pk).state == State.PENDING
    assert Job.objects.get(pk=other_key.pk).state == State.PENDING


@pytest.mark.django_db
def test_cancel_leaves_a_running_job_alone() -> None:
    jobs.enqueue("tests.record", {}, key="booking:1")
    running = claims.claim(None, lease_seconds=60)
    assert running is not None

    assert jobs.cancel("tests.record", "booking:1") == 0
    assert Job.objects.get().state == State.RUNNING


@pytest.mark.django_db
def test_reschedule_moves_the_pending_jobs_of_that_kind_and_key() -> None:
    start = timezone.now() + timedelta(days=2)
    reminder = jobs.enqueue("tests.record", {}, key="booking:1", run_after=start - timedelta(hours=24))
    untouched = jobs.enqueue("tests.record", {}, key="booking:2", run_after=start - timedelta(hours=24))
    moved_start = start + timedelta(hours=3)

    assert jobs.reschedule("tests.record", "booking:1", moved_start - timedelta(hours=24)) == 1

    assert Job.objects.get(pk=reminder.pk).run_after == moved_start - timedelta(hours=24)
    assert Job.objects.get(pk=untouched.pk).run_after == start - timedelta(hours=24)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_notify_fires_on_commit_and_not_on_rollback() -> None:
    import psycopg

    from rendez.jobs.worker import _listen_params

    with psycopg.connect(**_listen_params(), autocommit=True) as listener:
        listener.execute("LISTEN rendez_jobs")
        with pytest.raises(Rollback), transaction.atomic():
            jobs.enqueue("tests.record", {})
            raise Rollback
        assert list(listener.notifies(timeout=0.3)) == []

        with transaction.atomic():
            jobs.enqueue("tests.record", {}, queue="mail")
            jobs.enqueue("tests.record", {}, queue="mail")
        received = list(listener.notifies(timeout=0.5))
    assert [n.payload for n in received] == ["mail"]  # one per transaction and queue


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_coalescing_enqueues_leave_one_waiting_job() -> None:
    import threading

    inserted = threading.Event()
    results: list[int] = []

    def first() -> None:
        with transaction.atomic():
            results.append(jobs.enqueue("tests.record", {"v": 1}, key="appointment:7", coalesce=True).pk)
            inserted.set()
            # Hold the transaction open while the second enqueue runs into the unique index.
            threading.Event().wait(0.5)
        connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    inserted.wait(5)
    second = jobs.enqueue("tests.record", {"v": 2}, key="appointment:7", coalesce=True)
    thread.join()

    assert second.pk == results[0]
    assert Job.objects.get().payload == {"v": 2}
