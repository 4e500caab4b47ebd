"""The database side of running jobs: claim with a lease, renew it, record the outcome, reap expired leases.

PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED` lets any number of workers claim concurrently without
waiting on each other. SQLite: FOR UPDATE does not exist, but the project opens every transaction with BEGIN
IMMEDIATE, so claims are serialized by the database's single write lock; a lock-free read first keeps idle
polling off that lock.
"""

from __future__ import annotations

import functools
import os
import socket
import traceback
import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from rendez.jobs import conf, registry
from rendez.jobs.backoff import retry_delay
from rendez.jobs.claim_sql import ClaimStatements, claim_statements
from rendez.jobs.models import Job

State = Job.State
LEASE_EXPIRED = (
    "lease expired: the worker running this attempt stopped renewing it (killed, crashed or stalled)"
)


def claim(queues: Collection[str] | None, lease_seconds: float) -> Job | None:
    """Take the next claimable job: mark it running under a fresh lease token and count the attempt.

    Claimable: a pending job of a kind this process has a handler for, due by the database's clock, in one of
    `queues` (None: any). A keyed job waits while another job of its key is running, and while an older job
    of its key is pending and either due or already started (retrying). A never-started job scheduled for
    later (a reminder) does not hold its key before its time. Dead and cancelled jobs do not block. The
    oldest claimable job by (run_after, id) is taken.

    One statement committed on its own, so a claim costs one round trip:
    `UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING *` (claim_sql.py explains its
    shape). SQLite has no FOR UPDATE; its single-statement UPDATE runs under the write lock.
    """
    statements = _statements(queues)
    if statements is None:
        return None
    if connection.vendor == "sqlite" and _pick(statements) is None:
        return None
    now = timezone.now()
    expires = now + timedelta(seconds=lease_seconds)
    adapt = connection.ops.adapt_datetimefield_value
    params = [_new_token(), adapt(expires), adapt(now), *statements.pick_params]
    claimed = list(Job.objects.raw(statements.update, params))
    return claimed[0] if claimed else None


def next_claimable_id(queues: Collection[str] | None = None) -> int | None:
    """The id of the job the next claim would take, without taking it."""
    statements = _statements(queues)
    return _pick(statements) if statements is not None else None


def _pick(statements: ClaimStatements) -> int | None:
    # On SQLite claim() reads before it updates: the UPDATE takes the single write lock, which an idle worker
    # polling every second must not keep taking from the web requests.
    with connection.cursor() as cursor:
        cursor.execute(statements.pick, statements.pick_params)
        row = cursor.fetchone()
    return row[0] if row else None


def _statements(queues: Collection[str] | None) -> ClaimStatements | None:
    kinds = tuple(registry.registered_kinds())
    if not kinds or (queues is not None and not queues):
        return None
    return _cached_statements(connection.vendor, kinds, frozenset(queues) if queues is not None else None)


@functools.cache
def _cached_statements(vendor: str, kinds: tuple[str, ...], queues: frozenset[str] | None) -> ClaimStatements:
    return claim_statements(vendor, kinds, queues)


def renew_leases(tokens: Sequence[str], lease_seconds: float) -> int:
    if not tokens:
        return 0
    expires = timezone.now() + timedelta(seconds=lease_seconds)
    return Job.objects.filter(lease_owner__in=list(tokens), state=State.RUNNING).update(
        lease_expires_at=expires
    )


def reap_expired_leases() -> int:
    """Make jobs whose worker vanished claimable again, or dead if out of tries.

    The lost attempt stays counted. Returns how many jobs were released either way.
    """
    now = timezone.now()
    expired = Job.objects.filter(state=State.RUNNING, lease_expires_at__lt=now)
    if not expired.exists():
        return 0
    cleared = {"lease_owner": "", "lease_expires_at": None, "last_error": LEASE_EXPIRED}
    with transaction.atomic():
        dead = expired.filter(attempts__gte=F("max_attempts")).update(
            state=State.DEAD, finished_at=now, **cleared
        )
        revived = expired.update(state=State.PENDING, run_after=now, **cleared)
    return dead + revived


def record_success(job: Job) -> bool:
    # The errors of earlier attempts are history once the job succeeded: a panel showing them would say
    # something is wrong.
    return _finish(job, state=State.SUCCEEDED, finished_at=timezone.now(), last_error="")


def record_failure(
    job: Job,
    exc: BaseException,
    *,
    permanent: bool = False,
    retry_after: float | None = None,
    consume_attempt: bool = True,
    retry_at: datetime | None = None,
) -> str:
    """Send the job back to pending with a delay, or to dead; returns the new state.

    `consume_attempt=False` (a deferral) gives this run's attempt back, so `attempts` counts the attempts
    spent and never exceeds `max_attempts`.
    """
    now = timezone.now()
    error = error_summary(exc)
    attempts = job.attempts if consume_attempt else max(0, job.attempts - 1)
    if permanent or attempts >= job.max_attempts:
        _finish(job, state=State.DEAD, finished_at=now, last_error=error, attempts=attempts)
        return State.DEAD
    if retry_after is None:
        retry_after = retry_delay(attempts, conf.backoff_base(), conf.backoff_max())
    run_after = retry_at or now + timedelta(seconds=max(0.0, retry_after))
    _finish(job, state=State.PENDING, run_after=run_after, last_error=error, attempts=attempts)
    return State.PENDING


def rerun(job_ids: Sequence[int] | None = None) -> int:
    """Send dead jobs back to pending, due now, with a fresh attempt budget; None means every dead job."""
    now = timezone.now()
    dead = Job.objects.filter(state=State.DEAD)
    if job_ids is not None:
        dead = dead.filter(pk__in=list(job_ids))
    count = 0
    with transaction.atomic():
        for job in dead.select_for_update():
            spec = registry.get_handler(job.kind)
            budget = (spec.max_attempts if spec else None) or conf.default_max_attempts()
            # Attempts keep counting (history); the limit moves up by a fresh budget.
            job.max_attempts = job.attempts + budget
            job.state = State.PENDING
            job.run_after = now
            job.finished_at = None
            job.save(update_fields=["max_attempts", "state", "run_after", "finished_at"])
            count += 1
    return count


def error_summary(exc: BaseException, limit: int = 4000) -> str:
    """The exception and the innermost frames: enough to act on in a panel, bounded in size."""
    text = "".join(traceback.format_exception(exc, limit=-6)).strip()
    return text if len(text) <= limit else "..." + text[-limit:]


def _finish(job: Job, **changes: object) -> bool:
    # Only the holder of the current lease may record an outcome: if the lease expired and another worker took
    # the job over, this (stale) result is dropped and the newer attempt decides.
    changes.setdefault("lease_owner", "")
    changes.setdefault("lease_expires_at", None)
    updated = Job.objects.filter(pk=job.pk, lease_owner=job.lease_owner, state=State.RUNNING).update(
        **changes
    )
    return updated == 1


def _new_token() -> str:
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
