"""Which workers are alive: each worker's heartbeat thread upserts its row every few seconds, deletes it on a
clean stop, and deletes rows that nobody has refreshed for a while (workers that were killed).

`/readyz` reads `last_seen_at` (rendez/probes/readiness.py). One statement per heartbeat, on a table of
one row per worker process: cheap beside the job table, also on SQLite's single writer.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from rendez.jobs.models import WorkerPresence

# How often a worker says it is alive; readiness allows several missed beats before calling it gone.
BEAT_EVERY = 5.0
# A row not refreshed for this long belongs to a worker that was killed: deleted by the next worker's beat.
FORGET_AFTER = timedelta(hours=1)


def new_worker_id() -> str:
    """host:pid:random, like the lease tokens: tells apart two workers of one process (tests, `serve`)."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Presence:
    worker_id: str
    queues: frozenset[str] | None  # None: every queue
    kinds: Collection[str]
    started_at: datetime

    def beat(self) -> None:
        """Say this worker is alive now: one INSERT ... ON CONFLICT DO UPDATE."""
        row = WorkerPresence(
            worker_id=self.worker_id,
            queues=",".join(sorted(self.queues or ())),
            kinds=sorted(self.kinds),
            started_at=self.started_at,
            last_seen_at=timezone.now(),
        )
        WorkerPresence.objects.bulk_create(
            [row], update_conflicts=True, unique_fields=["worker_id"], update_fields=["last_seen_at", "kinds"]
        )

    def leave(self) -> None:
        WorkerPresence.objects.filter(worker_id=self.worker_id).delete()


def forget_stale(now: datetime | None = None) -> int:
    """Delete the rows of workers not heard from for FORGET_AFTER; returns how many."""
    cutoff = (now or timezone.now()) - FORGET_AFTER
    deleted, _ = WorkerPresence.objects.filter(last_seen_at__lt=cutoff).delete()
    return deleted


def seen_since(moment: datetime) -> list[WorkerPresence]:
    """The workers heard from at or after `moment`, most recent first."""
    return list(WorkerPresence.objects.filter(last_seen_at__gte=moment).order_by("-last_seen_at"))


def last_seen() -> WorkerPresence | None:
    """The worker heard from most recently, however long ago (None: no row left)."""
    return WorkerPresence.objects.order_by("-last_seen_at").first()
