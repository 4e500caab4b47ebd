"""Built-in job kinds."""

from __future__ import annotations

from typing import Any

from rendez.jobs.models import Job
from rendez.jobs.registry import handler


@handler("jobs.noop", max_attempts=1)
def noop(payload: dict[str, Any], job: Job) -> None:
    """Does nothing: for benchmarks and health checks of the worker path."""
