"""The checks behind `/readyz`: can this process serve bookings and will their follow-up work get done?

- **database**: a `SELECT 1` answers.
- **migrations**: every migration on disk is applied (a process started before `migrate` finished, or code
  newer than the schema, would fail on the first query that touches a new column).
- **workers**: workers do not record a heartbeat of their own (the worker's heartbeat thread only renews the
  leases of jobs in hand), so "heard from" is read from the jobs they run: workers count as heard from unless
  due work has waited longer than `READYZ_MAX_QUEUE_LAG` seconds while no job was running or finished.
  Idle workers with nothing due look the same as absent ones, and that is fine: nothing waits on them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from rendez.jobs import registry, stats

DEFAULT_MAX_QUEUE_LAG = 300


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


def run_checks() -> list[Check]:
    """Every check, in order; the later ones are skipped (failed) when the database does not answer."""
    database = check_database()
    if not database.ok:
        return [database, Check("migrations", False, "not checked"), Check("workers", False, "not checked")]
    return [database, _guarded("migrations", check_migrations), _guarded("workers", check_workers)]


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    # The database may go away between two checks: that is a failed check, not a 500.
    try:
        return check()
    except DatabaseError as exc:
        return Check(name, False, f"the database failed during the check ({type(exc).__name__})")


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return Check("database", False, f"the database does not answer ({type(exc).__name__})")
    return Check("database", True)


def check_migrations() -> Check:
    # Every node, not just the plan to the leaves: that plan misses a gap below an applied migration.
    loader = MigrationLoader(connection)
    unapplied = sorted(set(loader.graph.nodes) - set(loader.applied_migrations))
    if unapplied:
        names = ", ".join(f"{app}.{name}" for app, name in unapplied[:5])
        more = f" and {len(unapplied) - 5} more" if len(unapplied) > 5 else ""
        return Check("migrations", False, f"{len(unapplied)} not applied: {names}{more}")
    return Check("migrations", True)


def check_workers() -> Check:
    now = timezone.now()
    max_lag = timedelta(seconds=getattr(settings, "READYZ_MAX_QUEUE_LAG", DEFAULT_MAX_QUEUE_LAG))
    # Kinds no handler in this code knows (a rolling deploy) wait for newer workers, not for these.
    oldest = min((job.run_after for job in stats.oldest_due(registry.registered_kinds(), now)), default=None)
    if oldest is None or now - oldest <= max_lag:
        return Check("workers", True)
    if stats.workers_active_since(now - max_lag):
        return Check("workers", True, "busy: jobs wait, but workers are taking them")
    waited, window = (now - oldest).total_seconds(), max_lag.total_seconds()
    return Check(
        "workers",
        False,
        f"a due job has waited {waited:.0f} s and no worker has run one in the last {window:.0f} s",
    )
