"""Scrapes and readiness probes read indexes, not the job table: thousands of reminders waiting must not make
every scrape read them all (bench/observability.py times the same situation)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from rendez.jobs import stats
from rendez.jobs.claim_sql import CLAIM_INDEX
from rendez.jobs.models import Job
from rendez.observability.tests import handlers

pytestmark = pytest.mark.django_db
WAITING = 3000


@pytest.fixture(autouse=True)
def reminders_waiting() -> None:
    now = timezone.now()
    jobs = [Job(kind=handlers.NOOP, run_after=now + timedelta(minutes=1 + n)) for n in range(WAITING)]
    jobs += [Job(kind=handlers.NOOP, state=Job.State.DEAD, run_after=now, finished_at=now) for _ in range(30)]
    Job.objects.bulk_create(jobs, batch_size=1000)
    with connection.cursor() as cursor:
        # What autovacuum does on a live PostgreSQL; SQLite's plans must hold with statistics too.
        cursor.execute("ANALYZE jobs_job" if connection.vendor == "postgresql" else "ANALYZE")


@contextmanager
def statements() -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def keep(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        yield seen


def plans(call: Callable[[], object]) -> list[str]:
    """The query plan of every statement `call` runs, one string each."""
    with statements() as seen:
        call()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    found = []
    with connection.cursor() as cursor:
        for sql, params in seen:
            cursor.execute(prefix + sql, params)
            found.append(
                "\n".join(str(row[-1] if connection.vendor == "sqlite" else row[0]) for row in cursor)
            )
    return found


def test_the_job_counts_read_the_indexes():
    assert stats.counts_by_kind_and_state()[(handlers.NOOP, "pending")] == WAITING
    assert stats.counts_by_kind_and_state()[(handlers.NOOP, "dead")] == 30

    [plan] = plans(stats.counts_by_kind_and_state)

    # Counting pending jobs costs one entry per pending job whatever the plan. SQLite counts them from the
    # claim index alone; PostgreSQL reads the table when nearly every row is pending, as here, which is as
    # cheap, and the claim index otherwise.
    if connection.vendor == "sqlite":
        assert f"SCAN jobs_job USING INDEX {CLAIM_INDEX}" in plan, plan
        assert "SCAN jobs_job\n" not in plan + "\n"
        assert "jobs_kind_key_idx" not in plan, plan


def test_the_oldest_due_job_is_one_index_lookup_per_kind():
    now = timezone.now()
    assert stats.oldest_due([handlers.NOOP, handlers.BROKEN], now) == []

    [plan] = plans(lambda: stats.oldest_due([handlers.NOOP, handlers.BROKEN], now))

    # One index range per kind: the claim index for a kind with rows; a kind with none at all may be read
    # through the (kind, key) index instead, as tightly bounded by its kind (PostgreSQL does so when earlier
    # tests' rolled-back rows left the claim index bigger on disk).
    assert CLAIM_INDEX in plan, plan
    assert plan.count(CLAIM_INDEX) + plan.count("jobs_kind_key_idx") == 2, plan
    assert "Seq Scan" not in plan and "SCAN jobs_job" not in plan
