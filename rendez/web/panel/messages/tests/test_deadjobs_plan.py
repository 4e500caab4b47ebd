"""The panel's failed-jobs list costs the same beside other tenants' dead jobs: each database reads the
tenant's range of `jobs_dead_by_tenant_idx`, newest first, and stops at the page size (no scan, no sort)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from rendez.jobs.models import Job
from rendez.scheduling.tests.factories import make_tenant
from rendez.tenants.models import Tenant
from rendez.web.panel.messages import deadjobs

pytestmark = pytest.mark.django_db
OTHER_TENANTS = 200
DEAD_EACH = 25
INDEX = "jobs_dead_by_tenant_idx"


@pytest.fixture
def crowd() -> Tenant:
    """Alice with a few dead jobs, beside thousands of other tenants' dead and pending jobs."""
    alice = make_tenant("alice")
    now = timezone.now()

    def job(tenant_id: int, state: str) -> Job:
        return Job(
            kind="notifications.deliver", tenant_id=tenant_id, state=state, run_after=now, finished_at=now
        )

    others = [
        job(tenant_id, state)
        for tenant_id in range(alice.pk + 1, alice.pk + 1 + OTHER_TENANTS)
        for state in [Job.State.DEAD] * DEAD_EACH + [Job.State.PENDING]
    ]
    Job.objects.bulk_create(others + [job(alice.pk, Job.State.DEAD) for _ in range(3)], batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_job")
    return alice


@pytest.mark.postgres
def test_the_list_reads_only_the_tenants_dead_jobs_through_the_index(crowd: Tenant) -> None:
    listed = deadjobs.dead_jobs_of(crowd)
    assert len(listed) == 3 and all(job.tenant_id == crowd.pk for job in listed)
    assert [job.pk for job in listed] == sorted((job.pk for job in listed), reverse=True)

    query = Job.objects.filter(tenant_id=crowd.pk, state=Job.State.DEAD).order_by("-id")[:100]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]["Plan"]

    nodes = list(plan_nodes(plan))
    [read] = [node for node in nodes if node.get("Relation Name") == "jobs_job"]
    assert read["Node Type"] in ("Index Scan", "Index Only Scan"), nodes
    assert read["Index Name"] == INDEX
    assert "tenant_id =" in read["Index Cond"]
    assert not [node for node in nodes if node["Node Type"] in ("Sort", "Seq Scan", "Bitmap Heap Scan")]


def test_the_list_query_is_the_one_the_plan_checks(crowd: Tenant, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1) as context:
        deadjobs.dead_jobs_of(crowd)
    sql = context.captured_queries[0]["sql"]
    assert '"tenant_id" =' in sql and "'dead'" in sql and 'ORDER BY "jobs_job"."id" DESC' in sql


@pytest.mark.sqlite
def test_sqlite_searches_the_index_by_tenant_too(crowd: Tenant) -> None:
    query = Job.objects.filter(tenant_id=crowd.pk, state=Job.State.DEAD).order_by("-id")[:100]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        details = [row[3] for row in cursor.fetchall()]
    assert details == [f"SEARCH jobs_job USING INDEX {INDEX} (tenant_id=?)"]


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)
