"""The checks behind `/readyz`: can this process serve bookings and will their follow-up work get done?

- **database**: a `SELECT 1` answers.
- **migrations**: every migration on disk is applied (a process started before `migrate` finished, or code
  newer than the schema, would fail on the first query that touches a new column).
- **workers**: a worker was heard from within `READYZ_WORKER_STALE_SECONDS` (default 60): each worker's
  heartbeat thread refreshes its presence row every few seconds (rendez/jobs/presence.py), also the embedded
  worker of `rendez serve`. Without workers a booking is taken but its confirmation never leaves, so a web
  process is not ready: bookings would pile up unconfirmed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from rendez.jobs import presence
from rendez.lib.env import env_float, setting_or_env

DEFAULT_WORKER_STALE = 60.0


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
    stale_after = worker_stale_seconds()
    now = timezone.now()
    seen = presence.seen_since(now - timedelta(seconds=stale_after))
    if seen:
        return Check("workers", True, f"{len(seen)} seen in the last {stale_after:g} s")
    last = presence.last_seen()
    if last is None:
        return Check("workers", False, f"no worker seen in the last {stale_after:g} s (none is running)")
    ago = (now - last.last_seen_at).total_seconds()
    return Check(
        "workers",
        False,
        f"no worker seen in the last {stale_after:g} s; the last, {last.worker_id}, was {ago:.0f} s ago",
    )


def worker_stale_seconds() -> float:
    """A worker not heard from for this long counts as gone (several missed heartbeats)."""
    return float(
        setting_or_env(
            "READYZ_WORKER_STALE_SECONDS",
            "RENDEZ_READYZ_WORKER_STALE_SECONDS",
            env_float,
            DEFAULT_WORKER_STALE,
        )
    )
