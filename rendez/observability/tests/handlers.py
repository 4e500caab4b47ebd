"""Job kinds the observability tests enqueue and run with the real worker."""

from __future__ import annotations

import logging
from typing import Any

from rendez.jobs import handler
from rendez.jobs.models import Job

NOOP = "observability_tests.noop"
BROKEN = "observability_tests.broken"

logger = logging.getLogger("rendez.observability.tests")


@handler(NOOP)
def noop(payload: dict[str, Any], job: Job) -> None:
    logger.info("noop job ran")


@handler(BROKEN, max_attempts=3)
def broken(payload: dict[str, Any], job: Job) -> None:
    raise ConnectionError("the vendor is unreachable")
