"""The WSGI application: routing, the request log, fault injection and error rendering.

Layout (so MICROSOFT_LOGIN_BASE_URL = {root}/login and MICROSOFT_GRAPH_BASE_URL = {root}/graph/v1.0):
  {root}/login/{tenant}/oauth2/v2.0/authorize|token    the identity platform
  {root}/graph/v1.0/...                                 Microsoft Graph
  {root}/_control/...                                   the tests' control API
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from emulator_kit.request_log import exchange

from . import control, delta, graph, identity, subscriptions
from .clock import iso_z
from .emulator import LostResponse
from .errors import GraphError
from .faults import reset_connection

if TYPE_CHECKING:
    from .emulator import Emulator

G = "/graph/v1.0"


def build_rules() -> Map:
    def rule(path: str, endpoint: Callable[..., Response], *methods: str) -> Rule:
        return Rule(path, endpoint=endpoint, methods=list(methods))

    return Map(
        [
            rule("/login/<tenant>/oauth2/v2.0/authorize", identity.authorize, "GET", "POST"),
            rule("/login/<tenant>/oauth2/v2.0/token", identity.token, "POST"),
            rule(f"{G}/me", graph.me, "GET"),
            rule(f"{G}/me/calendars", graph.list_calendars, "GET"),
            rule(f"{G}/me/calendar", graph.get_calendar, "GET"),
            rule(f"{G}/me/calendars/<calendar_id>", graph.get_calendar, "GET"),
            rule(f"{G}/me/events", graph.list_events, "GET"),
            rule(f"{G}/me/events", graph.create_event, "POST"),
            rule(f"{G}/me/calendar/events", graph.list_events, "GET"),
            rule(f"{G}/me/calendar/events", graph.create_event, "POST"),
            rule(f"{G}/me/calendars/<calendar_id>/events", graph.list_events, "GET"),
            rule(f"{G}/me/calendars/<calendar_id>/events", graph.create_event, "POST"),
            rule(f"{G}/me/events/<event_id>", graph.get_event, "GET"),
            rule(f"{G}/me/events/<event_id>", graph.update_event, "PATCH"),
            rule(f"{G}/me/events/<event_id>", graph.delete_event, "DELETE"),
            rule(f"{G}/me/calendarView", graph.calendar_view, "GET"),
            rule(f"{G}/me/calendar/calendarView", graph.calendar_view, "GET"),
            rule(f"{G}/me/calendars/<calendar_id>/calendarView", graph.calendar_view, "GET"),
            rule(f"{G}/me/calendarView/delta", delta.delta, "GET"),
            rule(f"{G}/me/calendar/calendarView/delta", delta.delta, "GET"),
            rule(f"{G}/me/calendars/<calendar_id>/calendarView/delta", delta.delta, "GET"),
            rule(f"{G}/me/calendar/getSchedule", graph.get_schedule, "POST"),
            rule(f"{G}/subscriptions", subscriptions.list_all, "GET"),
            rule(f"{G}/subscriptions", subscriptions.create, "POST"),
            rule(f"{G}/subscriptions/<subscription_id>", subscriptions.get, "GET"),
            rule(f"{G}/subscriptions/<subscription_id>", subscriptions.update, "PATCH"),
            rule(f"{G}/subscriptions/<subscription_id>", subscriptions.delete, "DELETE"),
            rule(f"{G}/subscriptions/<subscription_id>/reauthorize", subscriptions.reauthorize, "POST"),
        ],
        strict_slashes=False,
    )


class EmulatorApp:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.url_map = build_rules()
        self.control_map = control.build_rules()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith("/_control"):
            try:
                response = self._dispatch(self.control_map, request)
            except (ValueError, TypeError, KeyError, AttributeError, GraphError) as error:
                response = Response(
                    json.dumps({"error": f"unusable control request: {error!r}"[:500]}),
                    400,
                    content_type="application/json",
                )
            self.emu.changed()
            return response(environ, start_response)
        try:
            response = self._handle(request)
        except LostResponse:
            self._log(request, None)
            self.emu.changed()  # the write was applied; only its answer is lost
            if reset_connection(environ):
                return Response(b"", 500)(environ, start_response)
            return Response(b"", 502)(environ, start_response)
        self._log(request, response)
        self.emu.changed()
        return response(environ, start_response)

    def base_url(self, request: Request) -> str:
        """Root of every URL the emulator emits, so it works at / or mounted under a prefix."""
        return self.emu.public_base_url or request.root_url.rstrip("/")

    def _handle(self, request: Request) -> Response:
        faults = self.emu.faults
        if faults.applies_to(request.path):
            if faults.config.latency_ms:
                time.sleep(faults.config.latency_ms / 1000)
            if faults.take("throttle_count"):
                seconds = str(faults.config.retry_after_seconds)
                return self._error(
                    GraphError(
                        429,
                        "TooManyRequests",
                        f"Too many requests. Please retry after {seconds} seconds.",
                        {"Retry-After": seconds},
                    )
                )
            kind = faults.roll_error()
            if kind == "reset":
                raise LostResponse()
            if kind == "timeout":
                time.sleep(self.emu.config.fault_hang_seconds)
                return self._error(
                    GraphError(504, "GatewayTimeout", "The gateway did not receive a response.")
                )
            if kind is not None:
                return self._error(_server_error(int(kind)))
        return self._dispatch(self.url_map, request)

    def _dispatch(self, url_map: Map, request: Request) -> Response:
        adapter = url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
            handler: Callable[..., Response] = endpoint
            return handler(self, request, **values)
        except LostResponse:
            raise
        except GraphError as error:
            return self._error(error)
        except (NotFound, MethodNotAllowed) as error:
            if request.path.startswith(G):
                return self._error(
                    GraphError(
                        400,
                        "BadRequest",
                        f"Resource not found for the segment '{request.path.rsplit('/', 1)[-1]}'.",
                    )
                )
            return error.get_response(request.environ)  # type: ignore[return-value]
        except HTTPException as error:
            return error.get_response(request.environ)  # type: ignore[return-value]

    def _error(self, error: GraphError) -> Response:
        return error.to_response(iso_z(self.emu.clock.now())[:19])

    def _log(self, request: Request, response: Response | None) -> None:
        timestamp = iso_z(self.emu.clock.now())
        self.emu.record_request(
            exchange(request, response, timestamp=timestamp, query=request.args.to_dict())
        )


def _server_error(status: int) -> GraphError:
    if status == 503:
        return GraphError(
            503, "ServiceUnavailable", "The service is temporarily unavailable.", {"Retry-After": "10"}
        )
    if status == 504:
        return GraphError(504, "GatewayTimeout", "The gateway did not receive a response.")
    if status == 502:
        return GraphError(502, "BadGateway", "Bad gateway.")
    return GraphError(500, "InternalServerError", "An internal server error occurred.")


def create_app(emu: Emulator) -> EmulatorApp:
    return EmulatorApp(emu)
