"""Writing jobs: enqueue in the caller's transaction, and cancel/reschedule pending ones by kind and key."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from rendez.jobs import conf, registry
from rendez.jobs.insert_sql import insert_jobs
from rendez.jobs.models import Job
from rendez.jobs.payloads import Payload, stored
from rendez.observability.context import current_request_id


@dataclass(frozen=True)
class NewJob:
    """One job to add: see `enqueue` for what each field means."""

    kind: str
    payload: Payload | dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    run_after: datetime | None = None
    queue: str | None = None
    coalesce: bool = False
    max_attempts: int | None = None
    tenant_id: int | None = None


def enqueue(
    kind: str,
    payload: Payload | dict[str, Any] | None = None,
    *,
    key: str | None = None,
    run_after: datetime | None = None,
    queue: str | None = None,
    coalesce: bool = False,
    max_attempts: int | None = None,
    tenant_id: int | None = None,
) -> Job:
    """Add a job in the current transaction: it exists if and only if the caller's transaction commits.

    `payload` is an instance of the payload type the kind registered (a dict is checked against that type);
    one that does not fit raises `jobs.InvalidPayload` here, in the caller, before anything is written.

    `queue` and `max_attempts` default to the handler's registration, then to "default" and JOBS_MAX_ATTEMPTS.
    With `coalesce=True` (level-triggered work such as `conferencing.sync`) a job of the same kind and key
    that is still waiting and has never started absorbs this request instead: it takes the new payload and the
    earlier run_after, and is returned. A started (running or retrying) one does not, so the change is still
    picked up by a new job.

    `tenant_id` names the tenant the job acts for, so the tenant's panel can list and re-run it when it fails.
    Unset, it is the tenant of the job this code runs in, if any (work a tenant's job causes is the tenant's
    too); None outside of a job: work for the installation, listed in no tenant's panel.
    """
    new = NewJob(
        kind, {} if payload is None else payload, key, run_after, queue, coalesce, max_attempts, tenant_id
    )
    return enqueue_all([new])[0]


def enqueue_all(new_jobs: Sequence[NewJob]) -> list[Job]:
    """Add several jobs as `enqueue` does each, in one statement that also wakes the workers of their queues
    (PostgreSQL's NOTIFY): a booking's follow-ups cost one round trip however many they are."""
    now = timezone.now()
    rows = [_row(new, now) for new in new_jobs]
    # No savepoint: the insert belongs to the caller's transaction; a savepoint costs two round trips.
    with transaction.atomic(savepoint=False):
        jobs = insert_jobs(rows, now)
        if any(job.run_after <= now for job in jobs):
            transaction.on_commit(_wake_local_workers)
    return jobs


def _row(new: NewJob, now: datetime) -> dict[str, Any]:
    if new.coalesce and not new.key:
        raise ValueError("coalesce=True needs a key: coalescing is per kind and key")
    spec = registry.get_handler(new.kind)
    return {
        "kind": new.kind,
        "key": new.key or "",
        "payload": _stored_payload(new, spec),
        "queue": new.queue or (spec.queue if spec else "default"),
        "max_attempts": new.max_attempts
        or (spec.max_attempts if spec else None)
        or conf.default_max_attempts(),
        "run_after": new.run_after or now,
        "coalesce": new.coalesce,
        "request_id": current_request_id(),
        "tenant_id": _running_tenant.get() if new.tenant_id is None else new.tenant_id,
        "created_at": now,
    }


def _stored_payload(new: NewJob, spec: registry.HandlerSpec | None) -> dict[str, Any]:
    """The payload's JSON, checked: fail in the caller, with its stack, rather than in a worker later."""
    if spec is not None and spec.payload is not None:
        return stored(new.kind, spec.payload, new.payload)
    if isinstance(new.payload, Payload):
        return new.payload.stored()
    json.dumps(new.payload)  # a kind without a payload type: its dict must at least be JSON
    return new.payload


# The tenant of the job the worker runs in this thread (context), inherited by the jobs it enqueues.
_running_tenant: ContextVar[int | None] = ContextVar("rendez_jobs_running_tenant", default=None)


@contextmanager
def acting_for(tenant_id: int | None) -> Iterator[None]:
    """While a job of `tenant_id` runs: the jobs it enqueues without a tenant_id of their own get this one."""
    token = _running_tenant.set(tenant_id)
    try:
        yield
    finally:
        _running_tenant.reset(token)


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
            _notify(list(Job.objects.filter(kind=kind, key=key).values_list("queue", flat=True).distinct()))
    return moved


# Wake-up callbacks of the workers running in this process (the embedded worker of `rendez serve`): on SQLite,
# which has no NOTIFY, a job enqueued by a web request then starts at once instead of at the next poll.
local_wakeups: set[Callable[[], None]] = set()


def _wake_local_workers() -> None:
    for wake in list(local_wakeups):
        wake()


def _notify(queues: Sequence[str]) -> None:
    """Wake the workers of `queues`: one statement, one notification per queue.

    NOTIFY is transactional: PostgreSQL delivers it when the enclosing transaction commits and drops it on
    rollback, and folds identical notifications of one transaction into one.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_notify(%s, queue) FROM unnest(%s::text[]) AS queue",
                [conf.NOTIFY_CHANNEL, list(queues)],
            )
