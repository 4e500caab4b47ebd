"""The tenant a job acts for: given at enqueue, inherited by the jobs a tenant's job enqueues."""

from __future__ import annotations

import pytest

from rendez import jobs
from rendez.jobs.models import Job
from rendez.jobs.worker import Worker

pytestmark = pytest.mark.django_db


def test_enqueue_and_enqueue_all_store_the_tenant() -> None:
    one = jobs.enqueue("tests.record", tenant_id=7)
    many = jobs.enqueue_all([jobs.NewJob("tests.record", tenant_id=8), jobs.NewJob("tests.record")])

    stored = dict(Job.objects.values_list("pk", "tenant_id"))
    assert [stored[job.pk] for job in [one, *many]] == [7, 8, None]


def test_a_job_enqueued_by_a_tenants_job_is_the_tenants_too() -> None:
    parent = jobs.enqueue("tests.spawn", tenant_id=7)
    nobodys = jobs.enqueue("tests.spawn")

    Worker().run_once()

    children = {job.payload["spawned_by"]: job.tenant_id for job in Job.objects.filter(kind="tests.record")}
    assert children == {parent.pk: 7, nobodys.pk: None}


def test_a_tenant_named_at_enqueue_wins_over_the_running_jobs() -> None:
    jobs.enqueue("tests.spawn", {"tenant_id": 9}, tenant_id=7)

    Worker().run_once()

    assert Job.objects.get(kind="tests.record").tenant_id == 9


def test_outside_a_job_no_tenant_lingers_from_the_last_one_run() -> None:
    jobs.enqueue("tests.spawn", tenant_id=7)
    Worker().run_once()

    assert jobs.enqueue("tests.record").tenant_id is None
