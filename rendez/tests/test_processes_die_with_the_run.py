"""Processes a test starts never outlive the test run, however it ends: an interrupted `make test` once left
two workers holding the test database, and the next run failed with 1,244 errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from rendez.tests.processes import wait_for

# Stands in for the test run: starts a long sleeper the way tests start workers, says its pid, then waits.
A_TEST_RUN = """
import django, sys, time
from pathlib import Path
django.setup()
from rendez.tests.processes import spawn
sleeper = spawn(["sleep", "300"], log=Path(sys.argv[1]), env={"PATH": "/usr/bin:/bin"})
print(sleeper.pid, flush=True)
time.sleep(300)
"""


def gone(pid: int) -> bool:
    """Exited: no such process, or a zombie nobody has reaped yet (it runs no more)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in {"Z", "X"}


def test_a_process_started_by_a_test_dies_when_the_test_run_is_killed(tmp_path: Path) -> None:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "rendez.settings"}
    run = subprocess.Popen(
        [sys.executable, "-c", A_TEST_RUN, str(tmp_path / "sleeper.log")],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert run.stdout is not None
    sleeper = int(run.stdout.readline())
    assert not gone(sleeper)

    run.send_signal(signal.SIGKILL)  # no teardown, no atexit: only the kernel can help now
    run.wait(10)

    wait_for(lambda: gone(sleeper), 10, "the sleeper to die with the run that started it")
