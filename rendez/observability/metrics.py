"""The counters and histograms other packages feed, each behind a small function or decorator.

They live in this process's default registry, or, when PROMETHEUS_MULTIPROC_DIR is set (several gunicorn or
worker processes), in files of that directory that `/metrics` adds up (see `scrape.py`). Label values are
always from small fixed sets (a route template, a status, a refusal code), never ids or free text: each
distinct value is a time series kept forever.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from prometheus_client import Counter, Histogram


class Job(Protocol):
    """What timing needs of a job (rendez.jobs.models.Job has it): observability imports no other package."""

    kind: str


P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")
J = TypeVar("J", bound=Job)

# Seconds, from a cached slot lookup to a Zoom call that waited for its turn.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

BOOKINGS = Counter(
    "rendez_bookings",
    "Booking attempts by outcome: the new booking's status, refused (with the refusal's code) or error.",
    ["outcome", "reason"],
)
HTTP_REQUESTS = Counter(
    "rendez_http_requests",
    "HTTP requests by route template, method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "rendez_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by route template.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
JOBS_FINISHED = Counter(
    "rendez_job_attempts",
    "Job attempts a worker finished, by kind and what became of the job (succeeded, pending = retry, dead).",
    ["kind", "outcome"],
)
JOB_DURATION = Histogram(
    "rendez_job_duration_seconds", "Time a job's handler ran, by kind.", ["kind"], buckets=LATENCY_BUCKETS
)
ZOOM_REQUESTS = Counter(
    "rendez_zoom_requests",
    "Calls to Zoom's REST API by endpoint and outcome.",
    ["method", "endpoint", "outcome"],
)
ZOOM_LATENCY = Histogram(
    "rendez_zoom_request_duration_seconds",
    "Time Zoom took to answer, by endpoint (the limiter's wait is not included).",
    ["method", "endpoint"],
    buckets=LATENCY_BUCKETS,
)
ZOOM_TOKEN_REFRESHES = Counter(
    "rendez_zoom_token_refreshes",
    "Zoom access tokens requested: renewed, or rejected (the connection needs reconnecting).",
    ["mode", "outcome"],
)
ZOOM_RATE_LIMIT_WAIT = Histogram(
    "rendez_zoom_rate_limit_wait_seconds",
    "Time a Zoom call slept for its turn in the account's rate limiter, by endpoint category.",
    ["category"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0),
)
ZOOM_RATE_LIMIT_REFUSALS = Counter(
    "rendez_zoom_rate_limit_refusals",
    "Zoom calls the limiter refused because the wait would have been too long (retried later).",
    ["category"],
)
ZOOM_RATE_LIMIT_PAUSES = Counter(
    "rendez_zoom_rate_limit_pauses",
    "429 answers from Zoom that paused a category for every process.",
    ["category"],
)

_HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Path segments of Zoom endpoints kept as they are; every other segment is an id (a user's, a meeting's).
_ZOOM_PATH_WORDS = frozenset(
    {
        "users",
        "meetings",
        "settings",
        "me",
        "status",
        "past_meetings",
        "registrants",
        "recordings",
        "webinars",
    }
)


def counts_bookings(refusal: type[Exception]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate the booking writer: count each call by the booking's status, or refused with the code of
    `refusal` (the writer's own error class, passed in: observability imports no other package)."""

    def decorate(book: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(book)
        def counted(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                booking = book(*args, **kwargs)
            except refusal as refused:
                BOOKINGS.labels(outcome="refused", reason=str(getattr(refused, "code", ""))).inc()
                raise
            except ObjectDoesNotExist:
                # A service or staff id that is not the tenant's (the API answers 404).
                BOOKINGS.labels(outcome="refused", reason="not_found").inc()
                raise
            except Exception:
                BOOKINGS.labels(outcome="error", reason="").inc()
                raise
            BOOKINGS.labels(outcome=str(getattr(booking, "status", "")), reason="").inc()
            return booking

        return counted

    return decorate


def request_handled(route: str, method: str, status: int, seconds: float) -> None:
    # Clients may send any method name; each would become a series.
    method = method if method in _HTTP_METHODS else "other"
    HTTP_REQUESTS.labels(route=route, method=method, status=str(status)).inc()
    HTTP_LATENCY.labels(route=route, method=method).observe(seconds)


def times_jobs(call_handler: Callable[[S, J], str]) -> Callable[[S, J], str]:
    """Decorate the worker's `_call_handler(self, job) -> new state`: count and time each attempt."""

    @functools.wraps(call_handler)
    def timed(self: S, job: J) -> str:
        with JOB_DURATION.labels(kind=job.kind).time():
            outcome = call_handler(self, job)
        JOBS_FINISHED.labels(kind=job.kind, outcome=str(outcome)).inc()
        return outcome

    return timed


def zoom_called(method: str, path: str, status: int | None, seconds: float) -> None:
    """One Zoom API call answered with `status`, or not answered at all (None)."""
    endpoint = zoom_endpoint(path)
    ZOOM_REQUESTS.labels(method=method, endpoint=endpoint, outcome=zoom_outcome(status)).inc()
    if status is not None:
        ZOOM_LATENCY.labels(method=method, endpoint=endpoint).observe(seconds)


def zoom_endpoint(path: str) -> str:
    """`/users/KDcuGIm1/meetings` -> `/users/{id}/meetings`: endpoints without the ids that would explode the
    series count."""
    segments = path.split("?", 1)[0].strip("/").split("/")
    return "/" + "/".join(s if s in _ZOOM_PATH_WORDS else "{id}" for s in segments if s)


def zoom_outcome(status: int | None) -> str:
    if status is None:
        return "unreachable"
    if status < 300:
        return "ok"
    if status == 429:
        return "rate_limited"
    if status == 401:
        return "unauthorized"
    return "client_error" if status < 500 else "server_error"


def zoom_token_refreshed(mode: str, outcome: str) -> None:
    ZOOM_TOKEN_REFRESHES.labels(mode=mode, outcome=outcome).inc()


def zoom_rate_limit_waited(category: str, seconds: float) -> None:
    ZOOM_RATE_LIMIT_WAIT.labels(category=category).observe(seconds)


def zoom_rate_limit_refused(category: str) -> None:
    ZOOM_RATE_LIMIT_REFUSALS.labels(category=category).inc()


def zoom_rate_limit_paused(category: str) -> None:
    ZOOM_RATE_LIMIT_PAUSES.labels(category=category).inc()
