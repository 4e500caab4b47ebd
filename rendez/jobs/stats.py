"""Read-only figures about the outbox, for the metrics (rendez/probes/scrape.py).

Scraped every few seconds beside 100,000 waiting reminders, so each query reads an index, not the table: the
states are SQL literals (SQLite uses a partial index only when the query names its condition as written, as
in `claim_sql.py`), and the oldest due job is looked up per kind through the claim index.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db import connection

from rendez.jobs.claim_sql import CLAIM_INDEX, TABLE
from rendez.jobs.models import Job

# Waiting, in hand, given up on: what the installation is doing now. Succeeded and cancelled jobs are
# history, counted by the workers as they finish.
CURRENT_STATES = ("pending", "running", "dead")


def counts_by_kind_and_state() -> dict[tuple[str, str], int]:
    """How many jobs of each kind are pending, running and dead (only pairs that have any)."""
    sql = " UNION ALL ".join(
        f"SELECT kind, '{state}', COUNT(*) FROM {_source(state)} WHERE state = '{state}' GROUP BY kind"
        for state in CURRENT_STATES
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {(kind, state): count for kind, state, count in cursor.fetchall()}


# SQLite's planner, left alone, counts pending jobs through (state, id), reading every row and sorting, and
# after ANALYZE it walks all of (kind, key) to count the few running or dead ones in kind order. Pending jobs
# can be counted from the claim index (kind, run_after, id) alone; the others are few. PostgreSQL's planner
# finds these plans by itself.
SQLITE_COUNT_INDEX = {"pending": CLAIM_INDEX, "running": "jobs_state_idx", "dead": "jobs_state_idx"}


def _source(state: str) -> str:
    if connection.vendor == "sqlite":
        return f"{TABLE} INDEXED BY {SQLITE_COUNT_INDEX[state]}"
    return TABLE


def oldest_due(kinds: Collection[str], now: datetime) -> list[Job]:
    """Per kind of `kinds`, its oldest pending job due at `now` (id, kind, queue and run_after loaded)."""
    if not kinds:
        return []
    branch = (
        "SELECT * FROM (SELECT id, kind, queue, run_after FROM {table} WHERE state = 'pending' AND kind = %s "
        "AND run_after <= %s ORDER BY run_after, id LIMIT 1) AS oldest_{number}"
    )
    sql = " UNION ALL ".join(branch.format(table=TABLE, number=number) for number in range(len(kinds)))
    moment = connection.ops.adapt_datetimefield_value(now)
    return list(Job.objects.raw(sql, [value for kind in sorted(kinds) for value in (kind, moment)]))
