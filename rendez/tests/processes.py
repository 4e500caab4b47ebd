"""Real Rendez processes for tests: `rendez worker` and gunicorn web servers on the test database.

They are started the way docs/operations.md deploys them (the `rendez` command, `deploy/gunicorn.conf.py`),
with the test process's database, secrets and var directory, so that rows, encrypted tokens and the jobs one
process writes are what the others read. Each writes its output to a log file the test can search.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import httpx2
import pytest
from django.conf import settings
from django.db import connection

BIN = Path(sys.executable).parent
GUNICORN_CONFIG = Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"


def database_url() -> str:
    """The test database, as a DATABASE_URL other processes can use (PostgreSQL or the SQLite file)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{quote(db['USER'])}{password}@{host}/{db['NAME']}"


def environment(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "RENDEZ_VAR_DIR": str(settings.VAR_DIR),
        "RENDEZ_SECRET_KEY": settings.SECRET_KEY,
        "RENDEZ_ENCRYPTION_KEYS": ",".join(settings.ENCRYPTION_KEYS),
        # The production lease (60 s) stays: a shorter one could expire while a loaded test machine starves a
        # worker's heartbeat, and the job would rightly run twice. Tests of crashes shorten it themselves.
        "RENDEZ_JOBS_POLL_INTERVAL": "0.2",
        "RENDEZ_LOG_LEVEL": "INFO",
        **extra,
    }


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class RendezProcess:
    def __init__(self, command: list[str], log: Path, env: dict[str, str]) -> None:
        self.log = log
        with open(log, "w") as output:
            self.process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text()

    def wait_for_output(self, text: str, timeout: float = 30) -> None:
        def seen() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"{self.log.name} exited with {self.process.returncode}:\n{self.output()}"
                )
            return text in self.output()

        wait_for(seen, timeout, f"{text!r} in {self.log.name}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM (what systemd sends), then SIGKILL if it does not exit in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode


class Processes:
    """Starts processes for one test and stops them all at its end (before its database is flushed)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[RendezProcess] = []

    def worker(self, *args: str, env: dict[str, str] | None = None) -> RendezProcess:
        log = self.directory / f"worker-{len(self.started)}.log"
        worker = self._start([str(BIN / "rendez"), "worker", *args], log, env)
        worker.wait_for_output("worker ready")
        return worker

    def web(
        self, port: int, *, workers: int = 2, env: dict[str, str] | None = None, wait: bool = True
    ) -> RendezProcess:
        """gunicorn with deploy/gunicorn.conf.py on 127.0.0.1:`port`; `wait=False` returns before it serves
        (start several, then `wait_until_serving` each: they boot in parallel)."""
        log = self.directory / f"web-{port}.log"
        command = [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONFIG), "rendez.wsgi"]
        extra = {"RENDEZ_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), **(env or {})}
        web = self._start(command, log, extra)
        if wait:
            self.wait_until_serving(web, port)
        return web

    @staticmethod
    def wait_until_serving(web: RendezProcess, port: int) -> None:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz", web), 60, f"gunicorn on port {port}")

    def logs(self) -> str:
        return "\n".join(process.output() for process in self.started)

    def stop_all(self) -> None:
        for process in self.started:
            process.stop()

    def _start(self, command: list[str], log: Path, env: dict[str, str] | None) -> RendezProcess:
        process = RendezProcess(command, log, environment(**(env or {})))
        self.started.append(process)
        return process


def _answers(url: str, web: RendezProcess) -> bool:
    if web.process.poll() is not None:
        raise AssertionError(f"gunicorn exited with {web.process.returncode}:\n{web.output()}")
    try:
        return httpx2.get(url, timeout=2).status_code == 200
    except httpx2.HTTPError:
        return False


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
