"""The WSGI application: routing, the request log, fault injection and error rendering.

URL layout (mounted at `{base}/_google` in Rendez later, or served alone at `/`):
  /accounts/o/oauth2/v2/auth      GOOGLE_OAUTH_BASE_URL = {root}/accounts
  /oauth2/token, /oauth2/revoke   GOOGLE_TOKEN_URL, GOOGLE_REVOKE_URL
  /openidconnect/v1/userinfo      (and /oauth2/v3/userinfo)
  /calendar/v3/...                GOOGLE_CALENDAR_API_BASE_URL = {root}/calendar/v3
  /_control/...                   tests only
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from emulator_kit.request_log import exchange

from . import calendar_views as cal
from . import control, oauth_views, pages
from .clock import rfc3339_ms
from .errors import ApiError, OAuthError, json_response
from .faults import reset_connection

if TYPE_CHECKING:
    from .emulator import Emulator

WRITES = ("POST", "PATCH", "PUT", "DELETE")
V3 = "/calendar/v3"


class DropConnection(Exception):
    """The client sees its connection die instead of a response."""


def build_rules() -> Map:
    return Map(
        [
            Rule("/accounts/o/oauth2/v2/auth", endpoint=oauth_views.authorize, methods=["GET", "POST"]),
            Rule("/oauth2/token", endpoint=oauth_views.token, methods=["POST"]),
            Rule("/oauth2/revoke", endpoint=oauth_views.revoke, methods=["POST"]),
            Rule("/openidconnect/v1/userinfo", endpoint=oauth_views.userinfo, methods=["GET", "POST"]),
            Rule("/oauth2/v3/userinfo", endpoint=oauth_views.userinfo, methods=["GET", "POST"]),
            Rule(f"{V3}/users/me/calendarList", endpoint=cal.calendar_list, methods=["GET"]),
            Rule(f"{V3}/freeBusy", endpoint=cal.free_busy, methods=["POST"]),
            Rule(f"{V3}/calendars/<calendar_id>/events", endpoint=cal.list_events, methods=["GET"]),
            Rule(f"{V3}/calendars/<calendar_id>/events", endpoint=cal.insert_event, methods=["POST"]),
            Rule(f"{V3}/calendars/<calendar_id>/events/watch", endpoint=cal.watch_events, methods=["POST"]),
            Rule(f"{V3}/calendars/<calendar_id>/events/<event_id>", endpoint=cal.get_event, methods=["GET"]),
            Rule(
                f"{V3}/calendars/<calendar_id>/events/<event_id>", endpoint=cal.patch_event, methods=["PATCH"]
            ),
            Rule(
                f"{V3}/calendars/<calendar_id>/events/<event_id>",
                endpoint=cal.delete_event,
                methods=["DELETE"],
            ),
            Rule(f"{V3}/channels/stop", endpoint=cal.stop_channel, methods=["POST"]),
            Rule("/", endpoint=pages.home, methods=["GET"]),
            Rule("/calendar/u/<email>", endpoint=pages.calendar, methods=["GET"]),
            Rule("/account/<email>/apps/<client_id>/remove", endpoint=pages.remove_app, methods=["POST"]),
        ],
        strict_slashes=False,
    )


def fault_error(kind: str, retry_after: int | None) -> ApiError:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if kind == "rateLimitExceeded":
        return ApiError(403, kind, "Rate Limit Exceeded", domain="usageLimits")
    if kind == "userRateLimitExceeded":
        return ApiError(403, kind, "User Rate Limit Exceeded", domain="usageLimits")
    if kind == "429":
        return ApiError(
            429, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits", headers=headers
        )
    if kind == "503":
        return ApiError(503, "backendError", "The service is currently unavailable.", headers=headers)
    return ApiError(500, "backendError", "Backend Error")


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
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                # The control API trusts its callers (tests); unusable input is their mistake: 400, not 500.
                response = json_response({"error": f"unusable control request: {error!r}"[:500]}, 400)
            self.emu.save()
            return response(environ, start_response)
        try:
            response = self._handle(request)
        except DropConnection:
            self._log(request, None)
            self.emu.save()
            if reset_connection(environ):
                return Response(b"", 500)(environ, start_response)
            return Response(b"", 502)(environ, start_response)
        self._log(request, response)
        if request.method != "GET" or "conferenceData" in (response.get_data(as_text=True) or ""):
            self.emu.save()  # reads change state only when they count down a pending Meet conference
        return response(environ, start_response)

    def base_url(self, request: Request) -> str:
        """Root of every URL the emulator emits: works at / or mounted under a prefix such as /_google."""
        return self.emu.base_url(request.root_url)

    def _handle(self, request: Request) -> Response:
        faults = self.emu.faults
        if not faults.applies_to(request.path):
            return self._dispatch(self.url_map, request)
        if faults.config.latency_ms:
            time.sleep(faults.config.latency_ms / 1000)
        kind = faults.take_failure()
        if kind == "reset":
            raise DropConnection()
        if kind is not None:
            return fault_error(kind, faults.config.retry_after).to_response()
        response = self._dispatch(self.url_map, request)
        if request.method in WRITES and response.status_code < 400 and faults.take("lose_responses"):
            # The change is applied; only the answer is lost, as when a connection dies on the way back.
            raise DropConnection()
        return response

    def _dispatch(self, url_map: Map, request: Request) -> Response:
        adapter = url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
            handler: Callable[..., Response] = endpoint
            return handler(self, request, **values)
        except ApiError as error:
            return error.to_response()
        except OAuthError as error:
            return error.to_response()
        except (NotFound, MethodNotAllowed) as error:
            if request.path.startswith(V3):
                return ApiError(404, "notFound", "Not Found").to_response()
            return error.get_response(request.environ)  # type: ignore[return-value]
        except HTTPException as error:
            return error.get_response(request.environ)  # type: ignore[return-value]

    def _log(self, request: Request, response: Response | None) -> None:
        timestamp = rfc3339_ms(self.emu.clock.now())
        self.emu.record_request(
            exchange(
                request,
                response,
                timestamp=timestamp,
                query={key: request.args.getlist(key) for key in request.args},
            )
        )
