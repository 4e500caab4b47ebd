"""Writing jobs: enqueue in the caller's transaction, and cancel/reschedule pending ones by kind and key."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from rendez.jobs import conf, registry
from rendez.jobs.models import Job
from rendez.observability.context import current_request_id


def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    run_after: datetime | None = None,
    queue: str | None = None,
    coalesce: bool = False,
    max_attempts: int | None = None,
) -> Job:
    """Add a job in the current transaction: it exists if and only if the caller's transaction commits.

    `queue` and `max_attempts` default to the handler's registration, then to "default" and JOBS_MAX_ATTEMPTS.
    With `coalesce=True` (level-triggered work such as `conferencing.sync`) a job of the same kind and key
    that is still waiting and has never started absorbs this request instead: it takes the new payload and the
    earlier run_after, and is returned. A started (running or retrying) one does not, so the change is still
    picked up by a new job.
    """
    payload = {} if payload is None else payload
    # Fail in the caller, with its stack, rather than in a worker later.
    json.dumps(payload)
    if coalesce and not key:
        raise ValueError("coalesce=True needs a key: coalescing is per kind and key")
    spec = registry.get_handler(kind)
    now = timezone.now()
    fields: dict[str, Any] = {
        "kind": kind,
        "key": key or "",
        "payload": payload,
        "queue": queue or (spec.queue if spec else "default"),
        "max_attempts": max_attempts or (spec.max_attempts if spec else None) or conf.default_max_attempts(),
        "run_after": run_after or now,
        "coalesce": coalesce,
        "request_id": current_request_id(),
    }
    # No savepoint: the insert belongs to the caller's transaction; a savepoint costs two round trips.
    with transaction.atomic(savepoint=False):
        job = _coalesce_or_create(fields) if coalesce else Job.objects.create(**fields)
        if job.run_after <= now:
            _notify(job.queue)
            transaction.on_commit(_wake_local_workers)
    return job


def cancel(kind: str, key: str) -> int:
    """Cancel the pending jobs of this kind and key (a running one finishes); returns the count."""
    return Job.objects.filter(kind=kind, key=key, state=Job.State.PENDING).update(
        state=Job.State.CANCELLED, finished_at=timezone.now()
    )


def has_open(kind: str, key: str) -> bool:
    """Whether a job of this kind and key is waiting or running (work that is still coming)."""
    return Job.objects.filter(kind=kind, key=key, state__in=[Job.State.PENDING, Job.State.RUNNING]).exists()


def reschedule(kind: str, key: str, run_after: datetime) -> int:
    """Move the pending jobs of this kind and key to `run_after`; returns how many moved."""
    with transaction.atomic(savepoint=False):
        moved = Job.objects.filter(kind=kind, key=key, state=Job.State.PENDING).update(run_after=run_after)
        if moved and run_after <= timezone.now():
            for queue in Job.objects.filter(kind=kind, key=key).values_list("queue", flat=True).distinct():
                _notify(queue)
    return moved


def _coalesce_or_create(fields: dict[str, Any]) -> Job:
    # The partial unique index admits one coalescing pending job per kind+key. Two transactions racing to add
    # one: on PostgreSQL the second insert waits for the first to commit, fails, and then finds the winner to
    # merge into.
    for _ in range(3):
        existing = _merge_into_waiting(fields)
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return Job.objects.create(**fields)
        except IntegrityError:
            continue
    raise RuntimeError(f"could not coalesce job {fields['kind']} [{fields['key']}]")


def _merge_into_waiting(fields: dict[str, Any]) -> Job | None:
    job = (
        Job.objects.select_for_update()
        .filter(kind=fields["kind"], key=fields["key"], state=Job.State.PENDING, attempts=0, coalesce=True)
        .first()
    )
    if job is None:
        return None
    job.payload = fields["payload"]
    job.run_after = min(job.run_after, fields["run_after"])
    job.save(update_fields=["payload", "run_after"])
    return job


# Wake-up callbacks of the workers running in this process (the embedded worker of `rendez serve`): on SQLite,
# which has no NOTIFY, a job enqueued by a web request then starts at once instead of at the next poll.
local_wakeups: set[Callable[[], None]] = set()


def _wake_local_workers() -> None:
    for wake in list(local_wakeups):
        wake()


def _notify(queue: str) -> None:
    # NOTIFY is transactional: PostgreSQL delivers it when the enclosing transaction commits and drops it on
    # rollback, and folds identical notifications of one transaction into one.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [conf.NOTIFY_CHANNEL, queue])
