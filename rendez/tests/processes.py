"""Real Rendez processes for tests: `rendez worker` and gunicorn web servers on the test database.

They are started the way docs/operations.md deploys them (the `rendez` command, `deploy/gunicorn.conf.py`),
with the test process's database, secrets and var directory, so that rows, encrypted tokens and the jobs one
process writes are what the others read. Each writes its output to a log file the test can search.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import httpx2
import pytest
from django.conf import settings
from django.db import connection

T = TypeVar("T")
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


# Every process a test starts, so that none outlives the test run: a worker left behind by an interrupted
# `make test` kept the test database open and the next run failed on it.
_SPAWNED: list[subprocess.Popen] = []
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: Linux sends SIGKILL when the test process dies, however it dies (even
    SIGKILL, where no teardown or atexit runs)."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: teardown and atexit remain
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(command: Sequence[str], *, log: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start `command` in its own process group (so its children — gunicorn's workers — are stopped with
    it), writing its output to `log`; it is killed at the end of the test run if still running."""
    with open(log, "w") as output:
        process = subprocess.Popen(
            list(command),
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Linux sends the signal when the *thread* that started the child ends, not the process: a
            # child started from a helper thread (the chaos test's killer) would die with that thread.
            # Those rely on the process group, teardown and atexit.
            preexec_fn=_die_with_parent if threading.current_thread() is threading.main_thread() else None,
        )
    _SPAWNED.append(process)
    return process


def kill_group(process: subprocess.Popen, signum: int = signal.SIGKILL) -> None:
    """Signal the process and everything it started; a group already gone is fine."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


@atexit.register
def _kill_the_rest() -> None:
    for process in _SPAWNED:
        if process.poll() is None:
            kill_group(process)


def wait_for(condition: Callable[[], T], timeout: float, what: str) -> T:
    """Poll `condition` until it returns something truthy, and return that; fail saying `what` did not
    happen. The only poll helper of the tests: `timeout` bounds the wait, it is never a speed expectation."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


class RendezProcess:
    def __init__(self, command: list[str], log: Path, env: dict[str, str]) -> None:
        self.log = log
        self.process = spawn(command, log=log, env=env)

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
        kill_group(self.process)
        self.process.wait(10)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM (what systemd sends), then SIGKILL if it does not exit in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        kill_group(self.process)  # anything it started and left behind
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
