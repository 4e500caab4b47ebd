"""Counting attempts where every process sees them: one `AttemptCounter` row per subject, in the database.

Each count is one statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, on SQLite and PostgreSQL alike),
so two workers counting the same subject at once both land, and a limit checked by the statement itself
cannot be passed by racing requests. A window starts at a subject's first attempt and lasts its length; the
first attempt after it ends starts a new one. Dead rows are deleted a batch at a time by `prune`, which the
callers run beside their own writes: no separate job to forget.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone

from rendez.web.models import AttemptCounter

PRUNE_BATCH = 100


@dataclass(frozen=True)
class Count:
    """A subject's live count, and when its window ends."""

    count: int
    last_at: datetime
    expires_at: datetime


def key(kind: str, *parts: str) -> str:
    """`kind:digest` of `parts`: fixed length, whatever the client typed."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
    return f"{kind}:{digest}"


def live(keys: list[str], now: datetime | None = None) -> dict[str, Count]:
    """The counts of `keys` whose window is still open, in one query."""
    rows = AttemptCounter.objects.filter(key__in=keys, expires_at__gt=now or timezone.now())
    return {row.key: Count(row.count, row.last_at, row.expires_at) for row in rows}


def add(key: str, window: timedelta, *, below: int | None = None, now: datetime | None = None) -> int | None:
    """Count one attempt of `key` in its window (a new one if the last ended) and return the new count.

    With `below`, the attempt is counted only while fewer than `below` were: None means it was not (the
    limit was reached), checked and counted in one statement."""
    now = now or timezone.now()
    limit = f" WHERE {_ENDED} OR {{table}}.count < %s" if below is not None else ""
    sql = _upsert(rows=1, tail=limit + " RETURNING count")
    params: list[Any] = [key, *_stamps(now, now + window)]
    if below is not None:
        params.append(below)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def add_each(keys: dict[str, timedelta], now: datetime | None = None) -> None:
    """Count one attempt of every key (each with its window), in one statement."""
    if not keys:
        return
    now = now or timezone.now()
    params: list[Any] = []
    # In one order: two statements upserting the same rows on PostgreSQL lock them alike, never crosswise.
    for subject, window in sorted(keys.items()):
        params += [subject, *_stamps(now, now + window)]
    with connection.cursor() as cursor:
        cursor.execute(_upsert(rows=len(keys)), params)


def claim_turn(key: str, every: timedelta, now: datetime | None = None) -> bool:
    """Take `key`'s turn if its last attempt was at least `every` ago, and mark it taken now: one attempt per
    `every` among all comers, decided by one conditional UPDATE. False when the turn was taken or no row
    lives."""
    now = now or timezone.now()
    updated = AttemptCounter.objects.filter(key=key, expires_at__gt=now, last_at__lte=now - every).update(
        last_at=now
    )
    return updated == 1


def remember(key: str, lifetime: timedelta, now: datetime | None = None) -> None:
    """Keep `key` alive for `lifetime` from now (a fact, not a count: e.g. "signed in from here")."""
    now = now or timezone.now()
    table = connection.ops.quote_name(AttemptCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (key, count, started_at, last_at, expires_at) VALUES (%s, 1, %s, %s, %s) "
        "ON CONFLICT (key) DO UPDATE SET last_at = excluded.last_at, expires_at = excluded.expires_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, *_stamps(now, now + lifetime)])


def take_back(key: str, now: datetime | None = None) -> None:
    """Uncount one attempt of `key` that was counted but did not happen after all."""
    live_rows = AttemptCounter.objects.filter(key=key, count__gt=0, expires_at__gt=now or timezone.now())
    live_rows.update(count=F("count") - 1)


def forget(key: str) -> None:
    AttemptCounter.objects.filter(key=key).delete()


def prune(now: datetime | None = None) -> int:
    """Delete up to PRUNE_BATCH dead rows, oldest first; how many. Bounded, so the caller's request stays
    short however many an attack left behind: every counted attempt prunes more than it adds."""
    cutoff = now or timezone.now()
    dead = AttemptCounter.objects.filter(expires_at__lte=cutoff).order_by("expires_at")
    ids = list(dead.values_list("pk", flat=True)[:PRUNE_BATCH])
    if not ids:
        return 0
    deleted, _ = AttemptCounter.objects.filter(pk__in=ids, expires_at__lte=cutoff).delete()
    return deleted


def _stamps(now: datetime, expires_at: datetime) -> list[Any]:
    adapt = connection.ops.adapt_datetimefield_value
    return [adapt(now), adapt(now), adapt(expires_at)]


# The proposed row (`excluded`) carries now as started_at: a window that ended by then starts again at 1.
_ENDED = "{table}.expires_at <= excluded.started_at"


def _upsert(rows: int, tail: str = "") -> str:
    """Count one attempt for each of `rows` (key, started_at, last_at, expires_at) parameter groups."""
    sql = (
        "INSERT INTO {table} (key, count, started_at, last_at, expires_at) VALUES "
        + ", ".join(["(%s, 1, %s, %s, %s)"] * rows)
        + " ON CONFLICT (key) DO UPDATE SET "
        f"count = CASE WHEN {_ENDED} THEN 1 ELSE {{table}}.count + 1 END, "
        f"started_at = CASE WHEN {_ENDED} THEN excluded.started_at ELSE {{table}}.started_at END, "
        f"expires_at = CASE WHEN {_ENDED} THEN excluded.expires_at ELSE {{table}}.expires_at END, "
        "last_at = excluded.last_at" + tail
    )
    return sql.format(table=connection.ops.quote_name(AttemptCounter._meta.db_table))
