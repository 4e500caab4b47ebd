"""The worker: threads that claim due jobs, run their handlers and record the outcome.

One `Worker` serves both the `worker` management command (a process of its own) and the embedded worker that
`rendez serve` starts beside the web server. Besides the runner threads it has a heartbeat thread that renews
the leases of jobs in hand and keeps the worker's presence row fresh (presence.py, read by `/readyz`), and on
PostgreSQL a listener thread whose LISTEN connection wakes idle runners as soon as an enqueue commits; polling
every `poll_interval` seconds stays as the fallback.

Duties beside claiming: releasing jobs whose lease expired, and deleting finished jobs past the retention
period (retention.py), a few batches at a time so a runner soon returns to claiming.

Time limits. Python cannot stop a thread from outside, and raising an exception into it asynchronously would
land at an arbitrary line (inside a transaction's cleanup, a lock's release) and not at all while it waits in
C (a socket read). So the heartbeat thread, which watches every attempt in hand, abandons an attempt that
outlives its kind's time limit: it records the failure under the attempt's lease token (the job goes back to
pending with backoff, or dead when out of attempts, and another runner may take it), stops renewing that
lease, and starts a replacement runner so the worker keeps its concurrency. The abandoned thread runs on until
its handler returns; its result is then dropped, because the token no longer matches (claims._finish), and
the thread exits. At most `concurrency` abandoned threads are replaced; beyond that the worker runs with fewer
runners and says so. Runner threads are daemon threads, so one stuck for good does not keep the process from
exiting after `stop()`. Inside a test's transaction (`run_once` without helpers) no limit is enforced.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, connections
from django.utils import timezone

from rendez.jobs import claims, conf, presence, queue, registry, retention
from rendez.jobs.errors import PermanentError, Retry, TimeLimitExceeded
from rendez.jobs.models import Job
from rendez.observability import context, metrics

logger = logging.getLogger("rendez.jobs")

PRUNE_EVERY = 3600.0  # seconds between retention passes once nothing is left to delete
PRUNE_BATCHES_PER_TURN = 4
FORGET_STALE_EVERY = 300.0  # seconds between deletions of killed workers' presence rows


@dataclass(frozen=True)
class Attempt:
    """A job in hand: who runs it and when it must be done (time.monotonic(); None: no limit)."""

    job: Job
    runner: threading.Thread
    deadline: float | None


class Worker:
    def __init__(
        self,
        *,
        queues: Collection[str] | None = None,
        concurrency: int = 1,
        poll_interval: float | None = None,
        lease_seconds: float | None = None,
        listen: bool | None = None,
        daemon: bool = False,
    ) -> None:
        """`queues` None serves every queue. Unset numbers come from JOBS_* settings / RENDEZ_JOBS_* env."""
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.queues = frozenset(queues) if queues else None
        self.concurrency = concurrency
        self.poll_interval = conf.poll_interval() if poll_interval is None else poll_interval
        self.lease_seconds = conf.lease_seconds() if lease_seconds is None else lease_seconds
        self.listen = conf.listen_enabled() if listen is None else listen
        self.daemon = daemon
        self._stopping = threading.Event()  # runners: take no new job
        self._halting = threading.Event()  # heartbeat and listener: runners are gone
        self._wake = threading.Event()
        self._listening = threading.Event()
        self._lock = threading.Lock()
        self._in_hand: dict[str, Attempt] = {}  # by lease token
        self._next_reap = 0.0
        self._next_prune = 0.0
        self._runners: list[threading.Thread] = []
        self._abandoned: list[threading.Thread] = []  # runners whose attempt outlived its time limit
        self._helpers: list[threading.Thread] = []
        self.worker_id = presence.new_worker_id()

    def start(self) -> None:
        """Start the threads; returns once the listener (if any) listens, so no later NOTIFY is missed."""
        self._start_helpers()
        queue.local_wakeups.add(self._wake.set)
        for number in range(self.concurrency):
            self._start_runner(f"rendez-jobs-runner-{number}")

    def _start_runner(self, name: str) -> None:
        # Daemon: stop() joins the live runners, and an abandoned one must not keep the process alive.
        self._runners.append(self._thread(self._run_loop, name, daemon=True, drain=False))

    def request_stop(self) -> None:
        """Finish the jobs in hand, take no new ones. Safe to call from a signal handler."""
        self._stopping.set()
        self._wake.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a stop was requested (or the timeout passes); True if stopping."""
        return self._stopping.wait(timeout)

    def stop(self, timeout: float | None = None) -> None:
        """Request a stop and wait for the jobs in hand to finish and every thread to exit.

        A handler past its time limit is not waited for: the heartbeat abandons it meanwhile, so a stop
        takes at most the longest time limit."""
        self.request_stop()
        queue.local_wakeups.discard(self._wake.set)
        self._join_runners(timeout)
        self._halting.set()
        for thread in self._helpers:
            thread.join(timeout)

    def _join_runners(self, timeout: float | None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                # An abandoned runner leaves this list: re-read it instead of joining a stuck thread.
                live = [thread for thread in self._runners if thread.is_alive()]
            left = None if deadline is None else deadline - time.monotonic()
            if not live or (left is not None and left <= 0):
                return
            live[0].join(0.2 if left is None else min(0.2, left))

    def run_once(self) -> int:
        """Drain: run due jobs until none is claimable; returns how many ran (threads if concurrency > 1)."""
        self._stopping.clear()
        # Inside a test's transaction other connections cannot see its rows, and a heartbeat writing from
        # another thread would wait on SQLite's write lock held by that transaction: run everything in this
        # thread.
        if not connection.in_atomic_block:
            self._start_helpers(listen=False)
        try:
            if self.concurrency == 1:
                return self._run_loop(drain=True)
            counts: list[int] = []
            runners = [
                self._thread(lambda: counts.append(self._run_loop(drain=True)), f"rendez-jobs-drain-{n}")
                for n in range(self.concurrency)
            ]
            for thread in runners:
                thread.join()
            return sum(counts)
        finally:
            self._halting.set()
            for thread in self._helpers:
                thread.join()
            self._helpers.clear()
            self._halting.clear()

    # Runner

    def _run_loop(self, drain: bool) -> int:
        ran = 0
        while not self._stopping.is_set():
            job = self._next_job()
            if job is not None:
                self._execute(job)
                ran += 1
                if self._is_abandoned(threading.current_thread()):
                    break  # a replacement took this runner's place
            elif drain:
                break
            else:
                self._wake.wait(self.poll_interval)
                self._wake.clear()
        return ran

    def _next_job(self) -> Job | None:
        if not connection.in_atomic_block:
            # What a request boundary does for web code: drop connections that broke or outlived CONN_MAX_AGE.
            close_old_connections()
        try:
            self._reap_if_due()
            self._prune_if_due()
            return claims.claim(self.queues, self.lease_seconds)
        except DatabaseError:
            logger.exception("rendez.jobs: claiming failed; retrying in %.1fs", self.poll_interval)
            self._stopping.wait(self.poll_interval)
            return None

    def _reap_if_due(self) -> None:
        with self._lock:
            now = time.monotonic()
            if now < self._next_reap:
                return
            self._next_reap = now + max(0.1, min(self.poll_interval, self.lease_seconds / 2))
        if reaped := claims.reap_expired_leases():
            logger.warning("rendez.jobs: %d job(s) had an expired lease and were released", reaped)

    def _prune_if_due(self) -> None:
        days = conf.retention_days()
        with self._lock:
            now = time.monotonic()
            if days <= 0 or now < self._next_prune:
                return
            self._next_prune = now + PRUNE_EVERY
        deleted = retention.prune_finished(timedelta(days=days), max_batches=PRUNE_BATCHES_PER_TURN)
        if deleted:
            logger.info("rendez.jobs: deleted %d job(s) finished more than %g days ago", deleted, days)
        if deleted >= PRUNE_BATCHES_PER_TURN * retention.BATCH_SIZE:
            with self._lock:
                self._next_prune = 0.0  # more left: another turn before the next claim

    @context.job_bound
    def _execute(self, job: Job) -> None:
        with self._lock:
            self._in_hand[job.lease_owner] = Attempt(job, threading.current_thread(), _deadline(job))
        started = time.monotonic()
        try:
            outcome = self._call_handler(job)
        finally:
            with self._lock:
                self._in_hand.pop(job.lease_owner, None)
        logger.info(
            "rendez.jobs: job %s %s attempt %d -> %s in %.3fs",
            job.pk,
            job.kind,
            job.attempts,
            outcome,
            time.monotonic() - started,
        )
        if job.key:
            # Finishing a keyed job may unblock the next one of its key: let idle siblings look now.
            self._wake.set()

    @metrics.times_jobs
    def _call_handler(self, job: Job) -> str:
        spec = registry.get_handler(job.kind)
        try:
            if spec is None:
                # Transient on purpose: during a rolling deploy an old worker may see a kind only new code
                # knows.
                raise LookupError(f"no handler registered for job kind {job.kind!r}")
            payload = spec.parse(job.payload)  # InvalidPayload (permanent) when the row no longer fits
            with queue.acting_for(job.tenant_id):
                spec.func(payload, job)
        except Retry as exc:
            return claims.record_failure(
                job, exc, retry_after=exc.after, consume_attempt=exc.consume_attempt, retry_at=exc.at
            )
        except PermanentError as exc:
            return claims.record_failure(job, exc, permanent=True)
        except Exception as exc:
            logger.warning("rendez.jobs: job %s %s failed: %r", job.pk, job.kind, exc)
            return claims.record_failure(job, exc)
        if not claims.record_success(job):
            logger.warning(
                "rendez.jobs: job %s finished after its time limit or after its lease was taken over; "
                "result dropped",
                job.pk,
            )
        return Job.State.SUCCEEDED

    # Helpers: heartbeat and LISTEN

    def _start_helpers(self, listen: bool = True) -> None:
        self._helpers.append(self._thread(self._heartbeat_loop, "rendez-jobs-heartbeat"))
        if listen and self.listen and connection.vendor == "postgresql":
            self._helpers.append(self._thread(self._listen_loop, "rendez-jobs-listener"))
            if not self._listening.wait(5):
                logger.warning(
                    "rendez.jobs: LISTEN not established yet; polling every %ss", self.poll_interval
                )

    def _heartbeat_loop(self) -> None:
        """Say the worker is alive every BEAT_EVERY seconds (its presence row, for `/readyz`), renew the
        leases of the jobs in hand every third of the lease, abandon overdue attempts; leave when halting."""
        alive = presence.Presence(self.worker_id, self.queues, registry.registered_kinds(), timezone.now())
        renew_every = self.lease_seconds / 3
        next_beat = next_renewal = time.monotonic()
        next_forget = next_beat
        try:
            while True:
                try:
                    self._abandon_overdue()
                    now = time.monotonic()
                    if now >= next_beat:
                        next_beat = now + presence.BEAT_EVERY
                        close_old_connections()
                        alive.beat()
                    if now >= next_forget:
                        next_forget = now + FORGET_STALE_EVERY
                        presence.forget_stale()
                    if now >= next_renewal:
                        next_renewal = now + renew_every
                        self._renew_leases()
                except DatabaseError:
                    logger.exception("rendez.jobs: heartbeat, lease renewal or time limit enforcement failed")
                if self._halting.wait(min(renew_every, 0.5)):
                    break
        finally:
            self._leave(alive)

    def _renew_leases(self) -> None:
        with self._lock:
            tokens = list(self._in_hand)
        if tokens:
            close_old_connections()
            claims.renew_leases(tokens, self.lease_seconds)

    def _leave(self, alive: presence.Presence) -> None:
        try:
            alive.leave()
        except DatabaseError:
            # The row goes stale and readiness stops counting it; the next worker's heartbeat deletes it.
            logger.exception("rendez.jobs: could not remove this worker's presence row")

    def _abandon_overdue(self) -> None:
        now = time.monotonic()
        with self._lock:
            overdue = [a for a in self._in_hand.values() if a.deadline is not None and a.deadline <= now]
            for attempt in overdue:
                del self._in_hand[attempt.job.lease_owner]
        for attempt in overdue:
            self._abandon(attempt)

    def _abandon(self, attempt: Attempt) -> None:
        job = attempt.job
        limit = _time_limit(job)
        error = TimeLimitExceeded(
            f"{job.kind} ran longer than its time limit of {limit:g} s; the attempt was abandoned "
            "(its thread runs on until the handler returns, and its result is ignored)"
        )
        close_old_connections()
        state = claims.record_failure(job, error)
        logger.error(
            "rendez.jobs: job %s %s exceeded its time limit of %gs -> %s", job.pk, job.kind, limit, state
        )
        with self._lock:
            if attempt.runner not in self._runners:
                return  # a drain runner (run_once): it carries on once the handler returns
            self._runners.remove(attempt.runner)
            self._abandoned = [thread for thread in self._abandoned if thread.is_alive()]
            self._abandoned.append(attempt.runner)
            replace = not self._stopping.is_set() and len(self._abandoned) <= self.concurrency
        if replace:
            self._start_runner(f"{attempt.runner.name}-replacement")
        else:
            logger.error(
                "rendez.jobs: %d runner(s) stuck past their time limit; not replacing more of them",
                len(self._abandoned),
            )

    def _is_abandoned(self, thread: threading.Thread) -> bool:
        with self._lock:
            return thread in self._abandoned

    def _listen_loop(self) -> None:
        import psycopg

        while not self._halting.is_set():
            try:
                with psycopg.connect(**_listen_params(), autocommit=True) as listen_connection:
                    listen_connection.execute(f"LISTEN {conf.NOTIFY_CHANNEL}")
                    self._listening.set()
                    self._wake.set()  # anything enqueued while we were not listening
                    while not self._halting.is_set():
                        for notify in listen_connection.notifies(timeout=0.5):
                            if self.queues is None or notify.payload in self.queues:
                                self._wake.set()
            except psycopg.Error:
                self._listening.clear()
                logger.exception("rendez.jobs: LISTEN connection lost; polling until it is back")
                self._halting.wait(self.poll_interval)

    def _thread(self, target: Any, name: str, daemon: bool | None = None, **kwargs: Any) -> threading.Thread:
        def run() -> None:
            try:
                target(**kwargs)
            finally:
                # Django connections are per thread; one left open by an ending thread leaks (and on
                # PostgreSQL keeps the test database from being dropped).
                connections.close_all()

        thread = threading.Thread(target=run, name=name, daemon=self.daemon if daemon is None else daemon)
        thread.start()
        return thread


def start_embedded_worker(concurrency: int = 1, queues: Collection[str] | None = None) -> Worker:
    """A worker in daemon threads of this process (for `rendez serve`); call `.stop()` on shutdown."""
    worker = Worker(concurrency=concurrency, queues=queues, daemon=True)
    worker.start()
    return worker


# Served by a worker of its own in `rendez serve`: a backlog of emails must not hold up meetings.
SEPARATE_EMBEDDED_QUEUES = ("notifications",)


def start_embedded_workers(concurrency: int = 1) -> list[Worker]:
    """The embedded workers of `rendez serve`: one for notifications and one for every other queue (meetings
    first of all), each with `concurrency` runners. Call `.stop()` on each on shutdown."""
    queues = registry.registered_queues()
    others = queues.difference(SEPARATE_EMBEDDED_QUEUES)
    groups = [others, *({queue} for queue in SEPARATE_EMBEDDED_QUEUES if queue in queues)]
    return [start_embedded_worker(concurrency, queues=group) for group in groups if group]


def _time_limit(job: Job) -> float:
    spec = registry.get_handler(job.kind)
    if spec is not None and spec.time_limit is not None:
        return spec.time_limit
    return conf.default_time_limit()


def _deadline(job: Job) -> float | None:
    limit = _time_limit(job)
    return time.monotonic() + limit if limit > 0 else None


def _listen_params() -> dict[str, Any]:
    settings = connection.settings_dict
    # Django-only options that psycopg.connect() does not understand.
    django_only = {"isolation_level", "server_side_binding", "pool", "assume_role"}
    params: dict[str, Any] = {k: v for k, v in settings.get("OPTIONS", {}).items() if k not in django_only}
    params["dbname"] = settings["NAME"]
    for name, key in (("user", "USER"), ("password", "PASSWORD"), ("host", "HOST"), ("port", "PORT")):
        if settings.get(key):
            params[name] = settings[key]
    return params
