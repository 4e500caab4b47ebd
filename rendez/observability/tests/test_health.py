from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone

from rendez.jobs import enqueue
from rendez.jobs.models import Job
from rendez.observability.tests import handlers

pytestmark = pytest.mark.django_db


def readyz() -> tuple[int, dict]:
    response = Client().get("/readyz")
    return response.status_code, response.json()


def test_healthz_answers_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_with_the_database_migrated_and_nothing_waiting():
    status, body = readyz()
    assert status == 200
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "migrations": True,
        "workers": True,
    }


def test_readyz_fails_while_a_migration_is_not_applied():
    MigrationRecorder(connection).migration_qs.filter(app="jobs", name="0003_job_request_id").delete()

    status, body = readyz()

    assert status == 503
    assert body["checks"]["migrations"]["ok"] is False
    assert "jobs.0003_job_request_id" in body["checks"]["migrations"]["detail"]


def test_readyz_fails_when_due_work_waits_and_no_worker_takes_any(settings):
    settings.READYZ_MAX_QUEUE_LAG = 60
    enqueue(handlers.NOOP, run_after=timezone.now() - timedelta(minutes=5))

    status, body = readyz()

    assert status == 503
    assert body["checks"]["workers"]["ok"] is False
    assert "no worker has run one in the last 60 s" in body["checks"]["workers"]["detail"]


def test_readyz_stays_ok_while_workers_are_busy_with_a_backlog(settings):
    settings.READYZ_MAX_QUEUE_LAG = 60
    now = timezone.now()
    enqueue(handlers.NOOP, run_after=now - timedelta(minutes=5))
    Job.objects.create(kind=handlers.NOOP, state=Job.State.RUNNING, run_after=now, started_at=now)

    status, body = readyz()

    assert status == 200
    assert body["checks"]["workers"]["detail"].startswith("busy")


def test_readyz_counts_a_job_a_worker_just_finished_as_word_from_the_workers(settings):
    settings.READYZ_MAX_QUEUE_LAG = 60
    now = timezone.now()
    enqueue(handlers.NOOP, run_after=now - timedelta(minutes=5))
    Job.objects.create(kind=handlers.NOOP, state=Job.State.SUCCEEDED, run_after=now, finished_at=now)
    # Cancelling is done by web requests, not workers: it says nothing about them.
    Job.objects.create(kind=handlers.NOOP, state=Job.State.CANCELLED, run_after=now, finished_at=now)

    assert readyz()[0] == 200

    Job.objects.filter(state=Job.State.SUCCEEDED).update(finished_at=now - timedelta(minutes=2))
    assert readyz()[0] == 503


def test_readyz_ignores_jobs_no_handler_here_knows(settings):
    settings.READYZ_MAX_QUEUE_LAG = 60
    Job.objects.create(kind="from.a.newer.release", run_after=timezone.now() - timedelta(hours=1))

    assert readyz()[0] == 200


def test_readyz_fails_and_healthz_answers_while_the_database_is_away():
    def refuse(*args: object) -> None:
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    with connection.execute_wrapper(refuse):
        status, body = readyz()
        alive = Client().get("/healthz")

    assert status == 503
    assert body["checks"]["database"] == {
        "ok": False,
        "detail": "the database does not answer (OperationalError)",
    }
    assert body["checks"]["workers"]["ok"] is False
    assert alive.status_code == 200
