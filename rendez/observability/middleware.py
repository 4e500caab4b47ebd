"""Per request: bind the request id, time the request, count it by route and log one line about it.

Put first in MIDDLEWARE, so every other middleware's log lines carry the id and the timing covers them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from rendez.observability import context, logs, metrics
from rendez.observability.routes import route_of

logger = logs.get_logger("rendez.requests")


class RequestObservation:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = context.accepted_or_new(request.headers.get(context.HEADER))
        started = time.perf_counter()
        with context.bound_request(request_id):
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route = route_of(request)
            metrics.request_handled(route, request.method or "", response.status_code, seconds)
            logger.info(
                "request",
                method=request.method,
                route=route,
                status=response.status_code,
                duration_ms=round(seconds * 1000, 1),
            )
        response[context.HEADER] = request_id
        return response
