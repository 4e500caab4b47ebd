"""The transactional outbox: durable jobs written in the caller's transaction and run by workers.

    from rendez import jobs

    class SyncMeeting(jobs.Payload):
        appointment_id: int

    @jobs.handler("conferencing.sync", payload=SyncMeeting, max_attempts=8)
    def sync(payload: SyncMeeting, job: jobs.Job) -> None: ...

    jobs.enqueue("conferencing.sync", SyncMeeting(appointment_id=42), key="appointment:42", coalesce=True)

Consumers of another package's announcements subscribe (`jobs.subscribe(EventType, to_jobs)`) and the
announcer calls `jobs.announce(event, ...)`: every subscriber's jobs in one insert (subscriptions.py).

See docs/jobs.md. This module must not import models at import time (it is imported while apps load), so the
functions that need the ORM are resolved lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rendez.jobs.errors import PermanentError, Retry
from rendez.jobs.payloads import Instant, InvalidPayload, Nothing, Payload
from rendez.jobs.registry import handler
from rendez.jobs.subscriptions import announce, subscribe, unsubscribe

if TYPE_CHECKING:
    from rendez.jobs.models import Job
    from rendez.jobs.queue import NewJob, cancel, enqueue, enqueue_all, has_open, reschedule

__all__ = [
    "Instant",
    "InvalidPayload",
    "Job",
    "NewJob",
    "Nothing",
    "Payload",
    "PermanentError",
    "Retry",
    "announce",
    "cancel",
    "enqueue",
    "enqueue_all",
    "handler",
    "has_open",
    "reschedule",
    "subscribe",
    "unsubscribe",
]

_LAZY = {
    name: "rendez.jobs.queue"
    for name in ("NewJob", "enqueue", "enqueue_all", "cancel", "reschedule", "has_open")
}
_LAZY["Job"] = "rendez.jobs.models"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value  # resolved once: `jobs.NewJob` is on the booking path
        return value
    raise AttributeError(f"module 'rendez.jobs' has no attribute {name!r}")
