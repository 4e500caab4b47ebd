"""The request id: taken from a well-formed incoming X-Request-ID or made up, bound to everything logged while
the request runs, stored on the jobs it enqueues, and bound again while a worker runs each of those jobs.

The binding lives in structlog's context variables, so stdlib `logging` calls get it too (the formatter merges
them in) and each thread or task sees only its own.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Concatenate, ParamSpec, Protocol, TypeVar

import structlog


class Job(Protocol):
    """What binding needs of a job (rendez.jobs.models.Job has it): observability imports no other package."""

    pk: int
    kind: str
    request_id: str


HEADER = "X-Request-ID"
# The Job.request_id column holds 64 characters. Anything else a client sends (spaces, quotes, control
# characters, an ID big enough to bloat every log line) is replaced rather than trusted.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")
J = TypeVar("J", bound=Job)


def accepted_or_new(incoming: str | None) -> str:
    """The incoming id if it is well formed, else a fresh one."""
    if incoming and _WELL_FORMED.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str:
    """The id of the request (or job) this code runs for; "" outside of both (a shell, a cron command)."""
    return str(structlog.contextvars.get_contextvars().get("request_id", ""))


def bound_request(request_id: str) -> AbstractContextManager[None]:
    """A context manager: log lines within carry `request_id`."""
    return structlog.contextvars.bound_contextvars(request_id=request_id)


def job_bound(execute: Callable[Concatenate[S, J, P], R]) -> Callable[Concatenate[S, J, P], R]:
    """Decorate a worker method taking the job: while it runs, log lines carry the job and its request id."""

    @functools.wraps(execute)
    def in_job_context(self: S, job: J, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with structlog.contextvars.bound_contextvars(
            request_id=job.request_id, job_id=job.pk, job_kind=job.kind
        ):
            return execute(self, job, *args, **kwargs)

    return in_job_context
