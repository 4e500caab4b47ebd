"""The WSGI application: routing, the request log, fault injection and error rendering."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from emulator_kit.request_log import exchange

from . import api_views, control, oauth_views, pages
from .clock import iso_z
from .errors import OAuthError, ZoomError, json_response, wants_xml
from .faults import reset_connection
from .pagination import PageTokens
from .ratelimit import qps_error

if TYPE_CHECKING:
    from .emulator import Emulator

Handler = Callable[..., Response]


class DropConnection(Exception):
    """Raised by a handler that wants the client to see its connection die instead of a response."""


def build_rules() -> Map:
    rules = [
        Rule("/oauth/authorize", endpoint=oauth_views.authorize, methods=["GET", "POST"]),
        Rule("/oauth/token", endpoint=oauth_views.token, methods=["POST"]),
        Rule("/oauth/revoke", endpoint=oauth_views.revoke, methods=["POST"]),
        Rule("/v2/users", endpoint=api_views.list_users, methods=["GET"]),
        Rule("/v2/users/<user_id>", endpoint=api_views.get_user, methods=["GET"]),
        Rule("/v2/users/<user_id>/settings", endpoint=api_views.get_settings, methods=["GET"]),
        Rule("/v2/users/<user_id>/meetings", endpoint=api_views.list_meetings, methods=["GET"]),
        Rule("/v2/users/<user_id>/meetings", endpoint=api_views.create_meeting, methods=["POST"]),
        Rule("/v2/meetings/<meeting_id>", endpoint=api_views.get_meeting, methods=["GET"]),
        Rule("/v2/meetings/<meeting_id>", endpoint=api_views.update_meeting, methods=["PATCH"]),
        Rule("/v2/meetings/<meeting_id>", endpoint=api_views.delete_meeting, methods=["DELETE"]),
        Rule("/v2/meetings/<meeting_id>/registrants", endpoint=api_views.list_registrants, methods=["GET"]),
        Rule("/v2/meetings/<meeting_id>/registrants", endpoint=api_views.add_registrant, methods=["POST"]),
        Rule(
            "/v2/meetings/<meeting_id>/registrants/status",
            endpoint=api_views.update_registrant_status,
            methods=["PUT"],
        ),
        Rule(
            "/v2/meetings/<meeting_id>/registrants/<registrant_id>",
            endpoint=api_views.get_registrant,
            methods=["GET"],
        ),
        Rule(
            "/v2/meetings/<meeting_id>/registrants/<registrant_id>",
            endpoint=api_views.delete_registrant,
            methods=["DELETE"],
        ),
        Rule(
            "/v2/meetings/<meeting_id>/batch_registrants",
            endpoint=api_views.add_batch_registrants,
            methods=["POST"],
        ),
        Rule("/", endpoint=pages.home, methods=["GET"]),
        Rule("/portal/accounts/<account_id>", endpoint=pages.account, methods=["GET"]),
        Rule("/portal/meetings/<int:meeting_id>/delete", endpoint=pages.delete_meeting, methods=["POST"]),
        Rule("/portal/users/<user_id>/apps/<client_id>/remove", endpoint=pages.remove_app, methods=["POST"]),
        Rule("/j/<meeting_id>", endpoint=pages.join, methods=["GET", "POST"]),
        Rule("/w/<meeting_id>", endpoint=pages.join, methods=["GET", "POST"]),
        Rule("/s/<meeting_id>", endpoint=pages.start, methods=["GET"]),
    ]
    return Map(rules, strict_slashes=False)


class EmulatorApp:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.url_map = build_rules()
        self.control_map = control.build_rules()
        self.page_tokens = PageTokens()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith("/_control"):
            try:
                response = self._dispatch(self.control_map, request)
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
                # The control API trusts its callers (tests); unusable input is their mistake: 400, not 500.
                response = json_response({"error": f"unusable control request: {error!r}"[:500]}, 400)
            return response(environ, start_response)
        try:
            response = self._handle(request)
        except DropConnection:
            self._log(request, None)
            if reset_connection(environ):
                return Response(b"", 500)(environ, start_response)
            # Not served by werkzeug (e.g. mounted in Django): the closest we can do is an empty 502.
            return Response(b"", 502)(environ, start_response)
        self._log(request, response)
        return response(environ, start_response)

    def base_url(self, request: Request) -> str:
        """Root of every URL the emulator emits, so it works at / or mounted under a prefix such as /_zoom."""
        return self.emu.public_base_url or request.root_url.rstrip("/")

    def _handle(self, request: Request) -> Response:
        faults = self.emu.faults
        if faults.applies_to(request.path):
            injected = self._injected_response(request)
            if injected is not None:
                return injected
        return self._dispatch(self.url_map, request)

    def _injected_response(self, request: Request) -> Response | None:
        faults = self.emu.faults
        if faults.config.latency_ms:
            time.sleep(faults.config.latency_ms / 1000)
        if faults.in_outage(self.emu.clock.now()):
            return Response("Service Temporarily Unavailable", 503, content_type="text/html")
        if faults.take("rate_limit_storm"):
            return self._render_error(request, qps_error("Light", 30))
        kind = faults.roll_error()
        if kind is None:
            return None
        if kind == "reset":
            raise DropConnection()
        if kind == "timeout":
            time.sleep(self.emu.config.fault_hang_seconds)
            return Response("Gateway Timeout", 504, content_type="text/html")
        return self._render_error(request, ZoomError(int(kind), int(kind), "Internal Server Error."))

    def _dispatch(self, url_map: Map, request: Request) -> Response:
        adapter = url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
            handler: Handler = endpoint
            return handler(self, request, **values)
        except DropConnection:
            raise
        except ZoomError as error:
            return self._render_error(request, error)
        except OAuthError as error:
            return error.to_response()
        except (NotFound, MethodNotAllowed) as error:
            if request.path.startswith("/v2/"):
                # Zoom answers unknown endpoints (and unsupported methods) with 400, not 404 (USERS-2026).
                return self._render_error(
                    request, ZoomError(400, 2300, "This API endpoint is not recognized.")
                )
            return error.get_response(request.environ)  # type: ignore[return-value]
        except HTTPException as error:
            return error.get_response(request.environ)  # type: ignore[return-value]

    def _render_error(self, request: Request, error: ZoomError) -> Response:
        faults = self.emu.faults.config
        if faults.token_errors_as_400 and error.code == 124:
            error = ZoomError(400, 124, error.message, error.errors, error.headers)
        as_xml = faults.xml_errors or wants_xml(request.headers.get("Accept"))
        return error.to_response(as_xml)

    def _log(self, request: Request, response: Response | None) -> None:
        timestamp = iso_z(self.emu.clock.now())
        self.emu.record_request(
            exchange(request, response, timestamp=timestamp, query=request.args.to_dict())
        )


def create_app(emu: Emulator) -> EmulatorApp:
    return EmulatorApp(emu)
