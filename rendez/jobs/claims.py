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
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Now
from django.utils import timezone

from rendez.jobs import conf, registry
from rendez.jobs.backoff import retry_delay
from rendez.jobs.models import Job

State = Job.State
LEASE_EXPIRED = (
    "lease expired: the worker running this attempt stopped renewing it (killed, crashed or stalled)"
)


class DatabaseNow(Now):
    """The database's clock.

    On SQLite, Django's `Now()` has millisecond precision while stored times have microseconds, so a job
    enqueued a few microseconds ago would not be due until the next millisecond: pad to the millisecond's end.
    """

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        template = "STRFTIME('%%%%Y-%%%%m-%%%%d %%%%H:%%%%M:%%%%f999', 'NOW')"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def claimable(queues: Collection[str] | None = None) -> QuerySet[Job]:
    """Due pending jobs that may start now, oldest first.

    A keyed job waits while another job of its key is running, and while an older job of its key is pending
    and either due or already attempted (retrying). A never-started job scheduled for later (a reminder) does
    not hold its key before its time: otherwise one reminder would stall every later job of the same key for
    days. Dead and cancelled jobs do not block.

    "Now" is the database's clock, so workers on several machines agree on what is due.
    """
    now = DatabaseNow()
    blockers = Job.objects.filter(key=OuterRef("key")).filter(
        Q(state=State.RUNNING)
        | (Q(state=State.PENDING, id__lt=OuterRef("id")) & (Q(run_after__lte=now) | Q(attempts__gt=0)))
    )
    jobs = Job.objects.filter(state=State.PENDING, run_after__lte=now, kind__in=registry.registered_kinds())
    if queues is not None:
        jobs = jobs.filter(queue__in=sorted(queues))
    return jobs.filter(Q(key="") | ~Exists(blockers)).order_by("run_after", "id")


def claim(queues: Collection[str] | None, lease_seconds: float) -> Job | None:
    """Take the next claimable job: mark it running under a fresh lease token and count the attempt.

    One statement committed on its own, so a claim costs one round trip:
    `UPDATE ... WHERE id = (SELECT ... LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *`. The SELECT is
    `claimable()` compiled by the ORM, so the rule lives in one place. (SQLite has no FOR UPDATE; its
    single-statement UPDATE runs under the write lock.)
    """
    sql, pick, pick_params = _claim_sql(connection.vendor, frozenset(queues) if queues is not None else None)
    if connection.vendor == "sqlite" and not _any_claimable(pick, pick_params):
        return None
    now = timezone.now()
    expires = now + timedelta(seconds=lease_seconds)
    adapt = connection.ops.adapt_datetimefield_value
    params = [State.RUNNING, _new_token(), adapt(expires), adapt(now), *pick_params, State.PENDING]
    claimed = list(Job.objects.raw(sql, params))
    return claimed[0] if claimed else None


def _any_claimable(pick: str, params: tuple[Any, ...]) -> bool:
    # A read before the UPDATE: on SQLite the UPDATE takes the single write lock, which an idle worker polling
    # every second must not keep taking from the web requests.
    with connection.cursor() as cursor:
        cursor.execute(pick, params)
        return cursor.fetchone() is not None


def _claim_sql(vendor: str, queues: frozenset[str] | None) -> tuple[str, str, tuple[object, ...]]:
    return _compiled_claim_sql(vendor, queues, tuple(registry.registered_kinds()))


@functools.cache
def _compiled_claim_sql(
    vendor: str, queues: frozenset[str] | None, kinds: tuple[str, ...]
) -> tuple[str, str, tuple[object, ...]]:
    # Compiled once per queue set and handler set: building the ORM query cost more than running it.
    pick, pick_params = claimable(queues).values("id")[:1].query.sql_with_params()
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    sql = (
        f"UPDATE {connection.ops.quote_name(Job._meta.db_table)} "
        "SET state = %s, attempts = attempts + 1, lease_owner = %s, lease_expires_at = %s, started_at = %s "
        f"WHERE id = ({pick}{lock}) AND state = %s RETURNING *"
    )
    return sql, pick, tuple(pick_params)


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
    return _finish(job, state=State.SUCCEEDED, finished_at=timezone.now())


def record_failure(
    job: Job,
    exc: BaseException,
    *,
    permanent: bool = False,
    retry_after: float | None = None,
    consume_attempt: bool = True,
) -> str:
    """Send the job back to pending with a delay, or to dead; returns the new state."""
    now = timezone.now()
    error = error_summary(exc)
    # A deferral that does not consume an attempt widens the budget instead of un-counting the run, so
    # `attempts` always says how many times the handler really ran.
    max_attempts = job.max_attempts if consume_attempt else job.max_attempts + 1
    if permanent or job.attempts >= max_attempts:
        _finish(job, state=State.DEAD, finished_at=now, last_error=error, max_attempts=max_attempts)
        return State.DEAD
    if retry_after is None:
        retry_after = retry_delay(job.attempts, conf.backoff_base(), conf.backoff_max())
    run_after = now + timedelta(seconds=max(0.0, retry_after))
    _finish(job, state=State.PENDING, run_after=run_after, last_error=error, max_attempts=max_attempts)
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
