"""`rendez worker`: run jobs until SIGTERM/SIGINT, which let the jobs in hand finish before exiting."""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rendez.jobs.worker import Worker

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Command(BaseCommand):
    help = "Run background jobs (the transactional outbox)."
    # A worker serves jobs; it must start even while a colleague's half-built view breaks the URL checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=1, help="runner threads (default 1)")
        parser.add_argument("--queues", default="", help="comma separated queues to serve (default: all)")
        parser.add_argument("--once", action="store_true", help="run the due jobs, then exit")
        parser.add_argument(
            "--poll-interval", type=float, default=None, help="seconds between polls when idle"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        queues = [name.strip() for name in options["queues"].split(",") if name.strip()] or None
        worker = Worker(
            queues=queues, concurrency=options["concurrency"], poll_interval=options["poll_interval"]
        )
        previous = {
            signum: signal.signal(signum, lambda *_: worker.request_stop()) for signum in STOP_SIGNALS
        }
        try:
            self._run(worker, queues, once=options["once"])
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _run(self, worker: Worker, queues: list[str] | None, once: bool) -> None:
        if once:
            ran = worker.run_once()
            self.stdout.write(f"ran {ran} job(s)")
            return
        worker.start()
        self.stdout.write(
            f"worker ready: concurrency={worker.concurrency} queues={','.join(sorted(queues or [])) or '*'} "
            f"poll={worker.poll_interval}s lease={worker.lease_seconds}s listen={worker.listen}"
        )
        self.stdout.flush()
        # Wake regularly: a signal handler only runs when the main thread gets to execute Python code.
        while not worker.wait(0.5):
            pass
        worker.stop()
        self.stdout.write("worker stopped")
