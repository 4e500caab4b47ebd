"""Built-in job kinds."""

from __future__ import annotations

from rendez.jobs.models import Job
from rendez.jobs.payloads import Nothing
from rendez.jobs.registry import handler


@handler("jobs.noop", payload=Nothing, max_attempts=1)
def noop(payload: Nothing, job: Job) -> None:
    """Does nothing: for benchmarks and health checks of the worker path."""
