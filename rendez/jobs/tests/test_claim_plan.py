"""The claim reads only what it may take: each database's plan walks the claim index by kind and due time.

Beside the job to claim wait thousands of future-dated jobs of a handled kind and thousands of due jobs of a
kind no handler knows. The plans must reach both through index ranges that exclude them (kind = ?, run_after
<= now), never a scan of the table or of every pending row; bench/jobs.py times the same situation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from rendez.jobs import claims, registry
from rendez.jobs.claim_sql import CLAIM_INDEX, KEY_INDEX
from rendez.jobs.models import Job

pytestmark = pytest.mark.django_db
WAITING = 3000


@pytest.fixture
def crowded_queue() -> Job:
    """One due job to claim, behind future reminders and due jobs of a kind nobody handles."""
    now = timezone.now()
    future = [
        Job(kind="tests.record", key=f"booking:{n}", run_after=now + timedelta(days=1 + n % 30))
        for n in range(WAITING)
    ]
    unhandled = [
        Job(kind="elsewhere.only", run_after=now - timedelta(hours=1 + n % 24)) for n in range(WAITING)
    ]
    Job.objects.bulk_create(future + unhandled, batch_size=1000)
    return Job.objects.create(kind="tests.record", key="booking:1", run_after=now)


def pick_plan(prefix: str) -> list[Any]:
    statements = claims._statements(None)
    assert statements is not None
    with connection.cursor() as cursor:
        cursor.execute(prefix + statements.pick, statements.pick_params)
        return cursor.fetchall()


def test_the_claim_takes_the_due_job_past_the_crowd(crowded_queue: Job) -> None:
    assert claims.next_claimable_id() == crowded_queue.pk


@pytest.mark.sqlite
def test_sqlite_searches_the_claim_index_by_kind_and_due_time(crowded_queue: Job) -> None:
    details = [row[3] for row in pick_plan("EXPLAIN QUERY PLAN ")]

    claim_searches = [d for d in details if d.startswith("SEARCH j ")]
    assert claim_searches == [f"SEARCH j USING INDEX {CLAIM_INDEX} (kind=? AND run_after<?)"] * len(
        registry.registered_kinds()
    ), details
    key_searches = [d for d in details if d.startswith("SEARCH b ")]
    assert key_searches and all(
        d.startswith(f"SEARCH b USING INDEX {KEY_INDEX} (key=?") for d in key_searches
    )
    # Only the branches' picks (one row per kind) are scanned and sorted, never the table.
    assert not [d for d in details if d.startswith("SCAN") and not d.startswith("SCAN pick")], details


@pytest.mark.postgres
@pytest.mark.parametrize("fresh_statistics", [True, False], ids=["analyzed", "as-inserted"])
def test_postgresql_scans_the_claim_index_by_kind_and_due_time(
    crowded_queue: Job, fresh_statistics: bool
) -> None:
    # The plan must not depend on statistics: a table that just grew has none that describe it yet.
    if fresh_statistics:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE jobs_job")  # what autovacuum does on a live database, sooner or later
    plan = pick_plan("EXPLAIN (FORMAT JSON) ")[0][0][0]["Plan"]  # psycopg decodes the JSON
    reads = [node for node in plan_nodes(plan) if node.get("Relation Name") == "jobs_job"]

    # One index scan, run once per handled kind (LATERAL), ranging over its kind and the due times only.
    [claim_read] = [node for node in reads if node.get("Index Name") == CLAIM_INDEX]
    assert claim_read["Node Type"] == "Index Scan"
    assert "(kind)::text = k.kind" in claim_read["Index Cond"]
    assert "run_after <= statement_timestamp()" in claim_read["Index Cond"]
    assert all(node.get("Index Name") in (CLAIM_INDEX, KEY_INDEX) for node in reads), reads


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)
