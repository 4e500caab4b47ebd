"""Read-only figures about the outbox, for metrics and the readiness check (rendez/observability)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import Count, Min

from rendez.jobs.models import Job

State = Job.State


def counts_by_kind_and_state(states: Collection[str]) -> dict[tuple[str, str], int]:
    """How many jobs of each kind are in each of `states` (only pairs that have any)."""
    rows = (
        Job.objects.filter(state__in=list(states))
        .values_list("kind", "state")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {(kind, state): count for kind, state, count in rows}


def oldest_due_by_queue(now: datetime, kinds: Collection[str] | None = None) -> dict[str, datetime]:
    """The `run_after` of the oldest pending job that is due at `now`, per queue (queues with one only)."""
    due = Job.objects.filter(state=State.PENDING, run_after__lte=now)
    if kinds is not None:
        due = due.filter(kind__in=list(kinds))
    rows = due.values_list("queue").annotate(oldest=Min("run_after")).order_by()
    return dict(rows)


def any_started_since(moment: datetime) -> bool:
    """Whether a worker claimed any job at or after `moment` (the latest attempt's start is kept per job)."""
    return Job.objects.filter(started_at__gte=moment).exists()
