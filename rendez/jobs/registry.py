"""Handlers by job kind.

Apps register handlers in their own `jobs.py` or `handlers.py`; `JobsConfig.ready()` imports those modules in
every process (web and worker alike), so by the time a job is enqueued or claimed its kind is known.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from rendez.jobs.payloads import Payload, parsed

if TYPE_CHECKING:
    from rendez.jobs.models import Job

# The first argument is the kind's payload type, or the stored dict for kinds registered without one.
HandlerFunc = Callable[[Any, "Job"], None]


@dataclass(frozen=True)
class HandlerSpec:
    kind: str
    func: HandlerFunc
    max_attempts: int | None
    queue: str
    # Seconds an attempt may run before the worker abandons it; None: JOBS_TIME_LIMIT, 0: no limit.
    time_limit: float | None = None
    # What the payload holds (rendez/jobs/payloads.py); None: a plain JSON dict, unchecked.
    payload: type[Payload] | None = None

    def parse(self, stored: dict[str, Any]) -> Any:
        """The stored payload as the handler takes it; InvalidPayload when it no longer fits."""
        return stored if self.payload is None else parsed(self.kind, self.payload, stored)


_handlers: dict[str, HandlerSpec] = {}


def handler(
    kind: str,
    *,
    payload: type[Payload] | None = None,
    max_attempts: int | None = None,
    queue: str = "default",
    time_limit: float | None = None,
) -> Callable[[HandlerFunc], HandlerFunc]:
    """Register `func(payload, job) -> None` for `kind`. With `payload` (a `jobs.Payload` type) enqueueing
    checks the payload against it and `func` receives an instance; without, a plain dict. `max_attempts` None
    means JOBS_MAX_ATTEMPTS, `time_limit` None means JOBS_TIME_LIMIT (seconds; 0 for none)."""

    def register(func: HandlerFunc) -> HandlerFunc:
        existing = _handlers.get(kind)
        # A module imported twice (tests, autoreload) re-registers the same function: harmless. Two functions
        # for one kind is a programming error that would otherwise make behaviour depend on import order.
        if existing and _qualified_name(existing.func) != _qualified_name(func):
            raise ImproperlyConfigured(
                f"job kind {kind!r} already handled by {_qualified_name(existing.func)}"
            )
        _handlers[kind] = HandlerSpec(
            kind=kind,
            func=func,
            max_attempts=max_attempts,
            queue=queue,
            time_limit=time_limit,
            payload=payload,
        )
        return func

    return register


def get_handler(kind: str) -> HandlerSpec | None:
    return _handlers.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_handlers)


def registered_queues() -> set[str]:
    return {spec.queue for spec in _handlers.values()}


def _qualified_name(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"
