"""The outbox table: one row per unit of work enqueued in the transaction that caused it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Job(models.Model):
    class State(models.TextChoices):
        # A failed attempt that will be retried goes back to PENDING with a later run_after and attempts > 0.
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        DEAD = "dead"
        CANCELLED = "cancelled"

    kind = models.CharField(max_length=100)
    queue = models.CharField(max_length=50, default="default")
    # Jobs sharing a key run one at a time in enqueue order ("" = no ordering lane). Also the handle for
    # coalescing, cancel() and reschedule(), together with the kind.
    key = models.CharField(max_length=200, blank=True, default="")
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    # Set at enqueue with coalesce=True: at most one such job per kind+key waits unstarted (unique index
    # below).
    coalesce = models.BooleanField(default=False)
    # Attempts spent, the current one included: never more than max_attempts. A run that defers without
    # spending an attempt (`Retry(consume_attempt=False)`) gives its attempt back; `started_at` says whether a
    # job ever ran.
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    run_after = models.DateTimeField()
    # Unique per claim (host:pid:random): outcomes and heartbeats only count while the token still matches, so
    # a worker whose lease was taken over cannot overwrite the new attempt's result.
    lease_owner = models.CharField(max_length=100, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    # The id of the web request (or job) that enqueued this one, carried into the worker's logs.
    request_id = models.CharField(max_length=64, blank=True, default="")
    # The tenant the job acts for, set at enqueue (None: installation-wide work). A plain integer, not a
    # foreign key: a constraint would look up the tenant on every insert of the booking path and make
    # deleting a tenant scan or cascade into the outbox, and the outbox must not depend on the tenants app.
    # A job outlives nothing it needs from the tenant row; retention deletes it in time.
    tenant_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # start of the latest attempt
    finished_at = models.DateTimeField(null=True, blank=True)  # set on succeeded, dead and cancelled

    class Meta:
        indexes = [
            # The claim: per handled kind, due pending jobs oldest first (rendez/jobs/claim_sql.py). The kind
            # leads so that jobs of kinds a worker does not handle are never read, run_after follows so
            # that future-dated jobs lie beyond the range a claim reads.
            models.Index(
                fields=["kind", "run_after", "id"], condition=Q(state="pending"), name="jobs_claim_kind_idx"
            ),
            # The per-key check of the claim ("is an older job of this key unfinished?"), and kind+key
            # lookups.
            models.Index(
                fields=["key", "id"], condition=Q(state__in=["pending", "running"]), name="jobs_key_open_idx"
            ),
            models.Index(fields=["kind", "key"], name="jobs_kind_key_idx"),
            # Reaping expired leases; renewing and fencing by lease token.
            models.Index(fields=["lease_expires_at"], condition=Q(state="running"), name="jobs_lease_idx"),
            models.Index(fields=["lease_owner"], condition=Q(state="running"), name="jobs_lease_owner_idx"),
            models.Index(fields=["state", "id"], name="jobs_state_idx"),
            # A tenant's dead jobs, newest first (the panel's "failed jobs"): never walks other tenants'.
            models.Index(
                fields=["tenant_id", "-id"], condition=Q(state="dead"), name="jobs_dead_by_tenant_idx"
            ),
            # Pruning finished jobs past the retention period.
            models.Index(
                fields=["finished_at"],
                condition=Q(state__in=["succeeded", "cancelled", "dead"]),
                name="jobs_finished_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=Q(state="pending", started_at__isnull=True, coalesce=True),
                name="jobs_one_coalescing_pending",
            )
        ]

    def __str__(self) -> str:
        key = f" [{self.key}]" if self.key else ""
        return f"#{self.pk} {self.kind}{key} {self.state}"


class WorkerPresence(models.Model):
    """One row per running worker, written by its heartbeat thread: what `/readyz` reads as "workers heard
    from recently". Removed when the worker stops cleanly; a killed worker's row goes stale and is pruned."""

    # host:pid:random, the prefix of the lease tokens this worker hands out.
    worker_id = models.CharField(max_length=100, unique=True)
    # The queues served, comma-separated; "" serves every queue.
    queues = models.CharField(max_length=500, blank=True, default="")
    # The kinds registered in the worker's code (what it can run).
    kinds = models.JSONField(default=list)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} seen {self.last_seen_at:%Y-%m-%d %H:%M:%S}"
