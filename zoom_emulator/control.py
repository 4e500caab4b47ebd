"""`/_control/*`: the JSON API tests use to reset, inspect and sabotage the emulator."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import BadRequest
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .clock import ManualClock
from .errors import json_response

if TYPE_CHECKING:
    from .app import EmulatorApp


def _body(request: Request) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest("body must be JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return data


def _error(message: str, status: int = 400) -> Response:
    return json_response({"error": message}, status)


def reset(app: EmulatorApp, request: Request) -> Response:
    app.emu.reset(_body(request).get("seed"))
    return json_response({"status": "reset"})


def list_requests(app: EmulatorApp, request: Request) -> Response:
    entries = app.emu.requests(request.args.get("method"), request.args.get("path"))
    return json_response({"requests": entries, "count": len(entries)})


def clear_requests(app: EmulatorApp, request: Request) -> Response:
    app.emu.clear_requests()
    return Response(status=204)


def get_faults(app: EmulatorApp, request: Request) -> Response:
    return json_response(app.emu.faults.config.to_dict())


def set_faults(app: EmulatorApp, request: Request) -> Response:
    try:
        return json_response(app.emu.set_faults(**_body(request)))
    except (ValueError, TypeError) as error:
        return _error(str(error))


def clear_faults(app: EmulatorApp, request: Request) -> Response:
    app.emu.clear_faults()
    return Response(status=204)


def expire_tokens(app: EmulatorApp, request: Request) -> Response:
    return json_response({"expired": app.emu.expire_access_tokens()})


def trigger_event(app: EmulatorApp, request: Request) -> Response:
    params = _body(request)
    event = params.pop("event", "")
    try:
        return json_response(app.emu.trigger(event, **params))
    except (ValueError, KeyError, TypeError) as error:
        return _error(f"cannot trigger {event!r}: {error}")


def list_deliveries(app: EmulatorApp, request: Request) -> Response:
    deliveries = app.emu.webhook_deliveries()
    event = request.args.get("event")
    if event:
        deliveries = [d for d in deliveries if d["event"] == event]
    return json_response({"deliveries": deliveries, "count": len(deliveries)})


def clear_deliveries(app: EmulatorApp, request: Request) -> Response:
    app.emu.webhooks.clear()
    return Response(status=204)


def wait_for_deliveries(app: EmulatorApp, request: Request) -> Response:
    idle = app.emu.wait_for_webhooks(float(_body(request).get("timeout", 5.0)))
    return json_response({"idle": idle})


def add_redirect_uri(app: EmulatorApp, request: Request, client_id: str) -> Response:
    try:
        app.emu.add_redirect_uri(client_id, _body(request)["uri"])
    except KeyError as error:
        return _error(f"unknown app or missing field: {error}", 404)
    return Response(status=204)


def set_event_subscription(app: EmulatorApp, request: Request, client_id: str) -> Response:
    body = _body(request)
    try:
        app.emu.set_event_url(client_id, body["url"], body.get("secret_token"))
    except KeyError as error:
        return _error(f"unknown app or missing field: {error}", 404)
    return Response(status=204)


def set_user_settings(app: EmulatorApp, request: Request, user_id: str) -> Response:
    try:
        app.emu.set_user_settings(user_id, _body(request))
    except KeyError:
        return _error(f"unknown user {user_id}", 404)
    return Response(status=204)


def state_summary(app: EmulatorApp, request: Request) -> Response:
    with app.emu.lock:
        state = app.emu.state
        body = {
            "accounts": [asdict(account) for account in state.accounts.values()],
            "users": [asdict(user) for user in state.users.values()],
            "meetings": [asdict(meeting) for meeting in state.meetings.values()],
            "grants": [{"client_id": c, "user_id": u} for c, u in sorted(state.grants)],
        }
    return json_response(body)


def advance_clock(app: EmulatorApp, request: Request) -> Response:
    if not isinstance(app.emu.clock, ManualClock):
        return _error("the emulator runs on the system clock; start it with a ManualClock to move time", 409)
    app.emu.clock.advance(float(_body(request).get("seconds", 0)))
    return json_response({"now": app.emu.now_iso()})


def build_rules() -> Map:
    return Map(
        [
            Rule("/_control/reset", endpoint=reset, methods=["POST"]),
            Rule("/_control/requests", endpoint=list_requests, methods=["GET"]),
            Rule("/_control/requests", endpoint=clear_requests, methods=["DELETE"]),
            Rule("/_control/faults", endpoint=get_faults, methods=["GET"]),
            Rule("/_control/faults", endpoint=set_faults, methods=["POST", "PUT"]),
            Rule("/_control/faults", endpoint=clear_faults, methods=["DELETE"]),
            Rule("/_control/tokens/expire", endpoint=expire_tokens, methods=["POST"]),
            Rule("/_control/webhooks/trigger", endpoint=trigger_event, methods=["POST"]),
            Rule("/_control/webhooks", endpoint=list_deliveries, methods=["GET"]),
            Rule("/_control/webhooks", endpoint=clear_deliveries, methods=["DELETE"]),
            Rule("/_control/webhooks/wait", endpoint=wait_for_deliveries, methods=["POST"]),
            Rule("/_control/apps/<client_id>/redirect_uris", endpoint=add_redirect_uri, methods=["POST"]),
            Rule(
                "/_control/apps/<client_id>/event_subscription",
                endpoint=set_event_subscription,
                methods=["PUT"],
            ),
            Rule("/_control/users/<user_id>/settings", endpoint=set_user_settings, methods=["PATCH"]),
            Rule("/_control/state", endpoint=state_summary, methods=["GET"]),
            Rule("/_control/clock/advance", endpoint=advance_clock, methods=["POST"]),
        ],
        strict_slashes=False,
    )
