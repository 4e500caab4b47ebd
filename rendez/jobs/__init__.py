"""The transactional outbox: durable jobs written in the caller's transaction and run by workers.

    from rendez import jobs

    jobs.enqueue("conferencing.sync", {"appointment_id": 42}, key="appointment:42", coalesce=True)

    @jobs.handler("conferencing.sync", max_attempts=8)
    def sync(payload: dict, job: jobs.Job) -> None: ...

See docs/jobs.md. This module must not import models at import time (it is imported while apps load), so the
functions that need the ORM are resolved lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rendez.jobs.errors import PermanentError, Retry
from rendez.jobs.registry import handler

if TYPE_CHECKING:
    from rendez.jobs.models import Job
    from rendez.jobs.queue import NewJob, cancel, enqueue, enqueue_all, has_open, reschedule

__all__ = [
    "Job",
    "NewJob",
    "PermanentError",
    "Retry",
    "cancel",
    "enqueue",
    "enqueue_all",
    "handler",
    "has_open",
    "reschedule",
]

_LAZY = {
    name: "rendez.jobs.queue"
    for name in ("NewJob", "enqueue", "enqueue_all", "cancel", "reschedule", "has_open")
}
_LAZY["Job"] = "rendez.jobs.models"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rendez.jobs' has no attribute {name!r}")
