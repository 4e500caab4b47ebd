"""`rendez serve`: the embedded default — a threaded web server and a job worker in one process.

Production runs `gunicorn rendez.wsgi` and any number of `rendez worker` processes instead
(docs/operations.md).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from werkzeug.serving import WSGIRequestHandler, make_server

from rendez.wsgi import application


class AccessLogHandler(WSGIRequestHandler):
    """werkzeug's access log without query strings: OAuth codes and states, and the emulator's start links,
    travel there."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        full = getattr(self, "path", None)
        if full is None:
            return super().log_request(code, size)
        self.path = full.split("?", 1)[0]
        try:
            super().log_request(code, size)
        finally:
            self.path = full


class WorkerProcess:
    """A `rendez worker` child of `rendez serve`, stopped with it. SQLite has no NOTIFY: it polls often."""

    POLL_INTERVAL = "0.2"

    def __init__(self, queues: list[str], concurrency: int) -> None:
        command = [sys.executable, "-m", "rendez.cli", "worker", "--concurrency", str(concurrency)]
        command += ["--queues", ",".join(sorted(queues)), "--poll-interval", self.POLL_INTERVAL]
        self.process = subprocess.Popen(command)

    @classmethod
    def start_all(cls, concurrency: int) -> list[WorkerProcess]:
        from rendez.jobs import registry
        from rendez.jobs.worker import SEPARATE_EMBEDDED_QUEUES

        queues = registry.registered_queues()
        others = sorted(queues.difference(SEPARATE_EMBEDDED_QUEUES))
        separate = [[queue] for queue in SEPARATE_EMBEDDED_QUEUES if queue in queues]
        return [cls(group, concurrency) for group in [others, *separate] if group]

    def stop(self) -> None:
        self.process.terminate()  # the worker finishes the jobs in hand, then exits
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Command(BaseCommand):
    help = "Serve Rendez on a threaded WSGI server with one embedded job worker."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not run a job worker in this process."
        )
        parser.add_argument(
            "--worker-concurrency",
            type=int,
            default=2,
            help="runner threads for meetings and other jobs, as many again for notifications (default 2)",
        )
        parser.add_argument(
            "--worker-processes",
            action="store_true",
            default=settings.SERVE_WORKER_PROCESSES,
            help=(
                "run the job worker as child processes (`rendez worker`: one for notifications, one for the "
                "rest) instead of threads of this one, so that it has a CPU of its own "
                "(RENDEZ_SERVE_WORKER_PROCESSES)"
            ),
        )
        parser.add_argument(
            "--request-slots",
            type=int,
            default=settings.SERVE_REQUEST_SLOTS,
            help=(
                "requests handled at once; the others wait their turn, so the embedded worker keeps a share "
                f"of the CPU (default {settings.SERVE_REQUEST_SLOTS}, RENDEZ_SERVE_REQUEST_SLOTS)"
            ),
        )

    def handle(
        self,
        *args,
        host: str,
        port: int,
        no_worker: bool,
        worker_concurrency: int,
        request_slots: int,
        worker_processes: bool,
        **options,
    ) -> None:
        from rendez.devserver import demo_calendars, demo_zoom
        from rendez.devserver.request_gate import RequestGate
        from rendez.jobs.worker import start_embedded_workers

        gated = RequestGate(application, request_slots)
        server = make_server(host, port, gated, threaded=True, request_handler=AccessLogHandler)
        # With the emulators mounted, the demo staff connect to them through OAuth once this server answers;
        # the worker starts after that, so the demo's bookings get their meetings rather than "no Zoom
        # connected", and the calendars' first sync runs at once.
        zoom = demo_zoom.start_in_background(host, server.server_port)
        # One after the other: two writers at once would wait on SQLite's lock.
        calendars = demo_calendars.start_in_background(host, server.server_port, after=zoom)
        connecting = [thread for thread in (zoom, calendars) if thread is not None]
        workers: list = []

        def start_worker() -> None:
            for thread in connecting:
                thread.join(timeout=demo_zoom.READY_TIMEOUT_SECONDS + 60)
            if worker_processes:
                workers.extend(WorkerProcess.start_all(worker_concurrency))
            else:
                workers.extend(start_embedded_workers(concurrency=worker_concurrency))

        if not no_worker:
            threading.Thread(target=start_worker, name="start-worker", daemon=True).start()
        stopping = threading.Event()

        def shut_down(signum, frame) -> None:
            if not stopping.is_set():
                stopping.set()
                # shutdown() waits for serve_forever to return, so it must run off the serving thread.
                threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, shut_down)
        signal.signal(signal.SIGINT, shut_down)
        self.stdout.write(
            f"Rendez serving on http://{host}:{port}/ ({'without' if no_worker else 'with'} a job worker)"
        )
        try:
            server.serve_forever()
        finally:
            for worker in workers:
                worker.stop()
            self.stdout.write("Rendez stopped.")
