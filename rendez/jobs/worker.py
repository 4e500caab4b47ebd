"""The worker: threads that claim due jobs, run their handlers and record the outcome.

One `Worker` serves both the `worker` management command (a process of its own) and the embedded worker that
`rendez serve` starts beside the web server. Besides the runner threads it has a heartbeat thread that renews
the leases of jobs in hand, and on PostgreSQL a listener thread whose LISTEN connection wakes idle runners as
soon as an enqueue commits; polling every `poll_interval` seconds stays as the fallback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, connections

from rendez.jobs import claims, conf, queue, registry
from rendez.jobs.errors import PermanentError, Retry
from rendez.jobs.models import Job
from rendez.observability import context, metrics

logger = logging.getLogger("rendez.jobs")


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
        self._in_hand: dict[str, int] = {}  # lease token -> job id
        self._next_reap = 0.0
        self._runners: list[threading.Thread] = []
        self._helpers: list[threading.Thread] = []

    def start(self) -> None:
        """Start the threads; returns once the listener (if any) listens, so no later NOTIFY is missed."""
        self._start_helpers()
        queue.local_wakeups.add(self._wake.set)
        for number in range(self.concurrency):
            self._runners.append(self._thread(self._run_loop, f"rendez-jobs-runner-{number}", drain=False))

    def request_stop(self) -> None:
        """Finish the jobs in hand, take no new ones. Safe to call from a signal handler."""
        self._stopping.set()
        self._wake.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a stop was requested (or the timeout passes); True if stopping."""
        return self._stopping.wait(timeout)

    def stop(self, timeout: float | None = None) -> None:
        """Request a stop and wait for the jobs in hand to finish and every thread to exit."""
        self.request_stop()
        queue.local_wakeups.discard(self._wake.set)
        for thread in self._runners:
            thread.join(timeout)
        self._halting.set()
        for thread in self._helpers:
            thread.join(timeout)

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

    @context.job_bound
    def _execute(self, job: Job) -> None:
        with self._lock:
            self._in_hand[job.lease_owner] = job.pk
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
            spec.func(job.payload, job)
        except Retry as exc:
            return claims.record_failure(job, exc, retry_after=exc.after, consume_attempt=exc.consume_attempt)
        except PermanentError as exc:
            return claims.record_failure(job, exc, permanent=True)
        except Exception as exc:
            logger.warning("rendez.jobs: job %s %s failed: %r", job.pk, job.kind, exc)
            return claims.record_failure(job, exc)
        if not claims.record_success(job):
            logger.warning(
                "rendez.jobs: job %s finished after its lease was taken over; result dropped", job.pk
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
        interval = self.lease_seconds / 3
        while not self._halting.wait(interval):
            with self._lock:
                tokens = list(self._in_hand)
            if not tokens:
                continue
            try:
                close_old_connections()
                claims.renew_leases(tokens, self.lease_seconds)
            except DatabaseError:
                logger.exception("rendez.jobs: lease renewal failed")

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

    def _thread(self, target: Any, name: str, **kwargs: Any) -> threading.Thread:
        def run() -> None:
            try:
                target(**kwargs)
            finally:
                # Django connections are per thread; one left open by an ending thread leaks (and on
                # PostgreSQL keeps the test database from being dropped).
                connections.close_all()

        thread = threading.Thread(target=run, name=name, daemon=self.daemon)
        thread.start()
        return thread


def start_embedded_worker(concurrency: int = 1, queues: Collection[str] | None = None) -> Worker:
    """A worker in daemon threads of this process (for `rendez serve`); call `.stop()` on shutdown."""
    worker = Worker(concurrency=concurrency, queues=queues, daemon=True)
    worker.start()
    return worker


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
