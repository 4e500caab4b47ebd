from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone

from rendez.jobs import presence, registry
from rendez.jobs.models import WorkerPresence
from rendez.jobs.worker import Worker, start_embedded_worker
from rendez.tests import processes

pytestmark = pytest.mark.django_db
T = TypeVar("T")


def readyz() -> tuple[int, dict]:
    response = Client().get("/readyz")
    return response.status_code, response.json()


def test_healthz_answers_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_with_the_database_migrated_and_a_worker_alive():
    presence.Presence("web-1:4242:cafe", None, ["tests.noop"], timezone.now()).beat()

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


def test_readyz_fails_when_no_worker_was_ever_seen():
    status, body = readyz()

    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["workers"] == {
        "ok": False,
        "detail": "no worker seen in the last 60 s (none is running)",
    }


def test_readyz_fails_when_the_last_worker_went_silent(settings):
    settings.READYZ_WORKER_STALE_SECONDS = 30
    now = timezone.now()
    WorkerPresence.objects.create(
        worker_id="web-1:4242:0badf00d",
        started_at=now - timedelta(hours=2),
        last_seen_at=now - timedelta(seconds=95),
    )

    status, body = readyz()

    assert status == 503
    detail = body["checks"]["workers"]["detail"]
    assert detail.startswith("no worker seen in the last 30 s; the last, web-1:4242:0badf00d, was 9")


def test_readyz_counts_only_the_workers_seen_recently():
    now = timezone.now()
    for number, ago in enumerate([5, 20, 3600]):
        WorkerPresence.objects.create(
            worker_id=f"w{number}", started_at=now, last_seen_at=now - timedelta(seconds=ago)
        )

    status, body = readyz()

    assert status == 200
    assert body["checks"]["workers"] == {"ok": True, "detail": "2 seen in the last 60 s"}


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_makes_readyz_ready_and_its_clean_stop_unready():
    worker = start_embedded_worker()  # what `rendez serve` runs beside the web server
    try:
        row = wait_for(lambda: WorkerPresence.objects.filter(worker_id=worker.worker_id).first())
        assert readyz()[0] == 200
    finally:
        worker.stop(timeout=10)

    assert row.kinds == sorted(registry.registered_kinds())
    assert row.started_at <= row.last_seen_at
    assert not WorkerPresence.objects.exists()
    assert readyz()[0] == 503


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_refreshes_the_row_and_forgets_killed_workers(monkeypatch):
    monkeypatch.setattr(presence, "BEAT_EVERY", 0.1)
    long_ago = timezone.now() - presence.FORGET_AFTER - timedelta(minutes=1)
    WorkerPresence.objects.create(worker_id="killed", started_at=long_ago, last_seen_at=long_ago)
    worker = Worker(queues=["nothing-here"], poll_interval=0.1)
    worker.start()
    try:
        first = wait_for(lambda: WorkerPresence.objects.filter(worker_id=worker.worker_id).first())
        later = wait_for(
            lambda: WorkerPresence.objects.filter(
                worker_id=worker.worker_id, last_seen_at__gt=first.last_seen_at
            ).first()
        )
        assert later.started_at == first.started_at
        assert later.queues == "nothing-here"
        assert not WorkerPresence.objects.filter(worker_id="killed").exists()
    finally:
        worker.stop(timeout=10)


def wait_for(find: Callable[[], T | None], seconds: float = 10) -> T:
    return processes.wait_for(find, seconds, "the worker's presence row")  # type: ignore[return-value]


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
