"""Deleting finished jobs once they are older than the retention period (RENDEZ_JOBS_RETENTION_DAYS).

Workers do it as a duty beside claiming (worker.py), and `rendez jobs prune` does it on demand. Deletes go in
small batches, each its own transaction, so neither database holds a long lock (SQLite's one write lock is
shared with the web requests) and a worker returns to claiming between batches.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from rendez.jobs.models import Job

BATCH_SIZE = 500

# States as literals, spelled as in the partial index `jobs_finished_idx`, so SQLite can use it (see
# claim_sql.py); the oldest first, in the index's order.
_OLD_FINISHED_IDS = (
    "SELECT id FROM jobs_job WHERE state IN ('succeeded', 'cancelled', 'dead') AND finished_at < %s "
    "ORDER BY finished_at LIMIT %s"
)


def prune_finished(retention: timedelta, *, max_batches: int | None = None) -> int:
    """Delete succeeded, cancelled and dead jobs that finished more than `retention` ago, `BATCH_SIZE` at a
    time, at most `max_batches` batches (None: until none is left); returns how many were deleted.

    Delivery records that point at a deleted job keep their history with the link cleared (SET_NULL).
    """
    cutoff = connection.ops.adapt_datetimefield_value(timezone.now() - retention)
    deleted = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        with connection.cursor() as cursor:
            cursor.execute(_OLD_FINISHED_IDS, [cutoff, BATCH_SIZE])
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            break
        with transaction.atomic():
            _, by_model = Job.objects.filter(pk__in=ids).delete()
        deleted += by_model.get(Job._meta.label, 0)
        batches += 1
    return deleted
