"""Several jobs in one statement: the rules of `enqueue` for each, one round trip for all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rendez import jobs
from rendez.jobs.models import Job


@pytest.mark.django_db
def test_several_jobs_are_inserted_by_one_statement_in_the_order_given() -> None:
    with CaptureQueriesContext(connection) as statements:
        added = jobs.enqueue_all(
            [
                jobs.NewJob("tests.record", {"n": 1}, key="appointment:7", coalesce=True),
                jobs.NewJob("tests.record", {"n": 2}, key="booking:1"),
                jobs.NewJob("tests.fail", {"n": 3}),
            ]
        )

    assert len(statements.captured_queries) == 1
    assert [Job.objects.get(pk=job.pk).payload for job in added] == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert [job.max_attempts for job in added] == [8, 8, 3]  # tests.fail registers 3


@pytest.mark.django_db
def test_a_batch_coalesces_into_a_waiting_job_and_within_itself() -> None:
    later = timezone.now() + timedelta(hours=1)
    waiting = jobs.enqueue("tests.record", {"v": 1}, key="appointment:7", coalesce=True, run_after=later)

    first, second, other = jobs.enqueue_all(
        [
            jobs.NewJob("tests.record", {"v": 2}, key="appointment:7", coalesce=True, run_after=later),
            jobs.NewJob("tests.record", {"v": 3}, key="appointment:7", coalesce=True),
            jobs.NewJob("tests.record", {"v": 4}, key="appointment:8", coalesce=True),
        ]
    )

    assert first.pk == second.pk == waiting.pk != other.pk
    merged = Job.objects.get(pk=waiting.pk)
    assert merged.payload == {"v": 3}
    assert merged.run_after < later  # the earliest asked for
    assert second.run_after == merged.run_after
    assert Job.objects.count() == 2


@pytest.mark.django_db
def test_a_batch_is_refused_whole_when_one_payload_is_not_json() -> None:
    with pytest.raises(TypeError):
        jobs.enqueue_all(
            [jobs.NewJob("tests.record", {}), jobs.NewJob("tests.record", {"at": timezone.now()})]
        )
    assert not Job.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_statement_wakes_every_queue_with_a_due_job() -> None:
    import psycopg

    from rendez.jobs.worker import _listen_params

    with psycopg.connect(**_listen_params(), autocommit=True) as listener:
        listener.execute("LISTEN rendez_jobs")
        with transaction.atomic():
            jobs.enqueue_all(
                [
                    jobs.NewJob("tests.record", {}, queue="mail"),
                    jobs.NewJob("tests.record", {}, queue="mail"),
                    jobs.NewJob("tests.record", {}, queue="sms"),
                    jobs.NewJob(
                        "tests.record", {}, queue="later", run_after=timezone.now() + timedelta(hours=1)
                    ),
                ]
            )
        received = sorted(n.payload for n in listener.notifies(timeout=0.5))
    assert received == ["mail", "sms"]  # one per queue with a due job, none for the one not yet due
