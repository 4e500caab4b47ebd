"""`/_control/*`: the JSON API tests use to reset, inspect and sabotage the emulator, and act as the user."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import events
from .clock import ManualClock
from .errors import json_response

if TYPE_CHECKING:
    from .app import EmulatorApp


def _body(request: Request) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    data = json.loads(raw) if raw else {}
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    return data


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
    return json_response(app.emu.faults.set(_body(request)).to_dict())


def clear_faults(app: EmulatorApp, request: Request) -> Response:
    app.emu.faults.clear()
    return Response(status=204)


def set_settings(app: EmulatorApp, request: Request) -> Response:
    body = _body(request)
    with app.emu.lock:
        current = asdict(app.emu.settings)
        unknown = set(body) - set(current)
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        for key, value in body.items():
            setattr(app.emu.settings, key, value)
        return json_response(asdict(app.emu.settings))


def expire_tokens(app: EmulatorApp, request: Request) -> Response:
    return json_response({"expired": app.emu.expire_access_tokens(_body(request).get("email"))})


def revoke_grant(app: EmulatorApp, request: Request) -> Response:
    body = _body(request)
    return json_response({"revoked": app.emu.revoke_grant(body["email"], body["client_id"])})


def invalidate_sync_tokens(app: EmulatorApp, request: Request) -> Response:
    return json_response({"calendars": app.emu.invalidate_sync_tokens(_body(request).get("calendar_id"))})


def user_create_event(app: EmulatorApp, request: Request, calendar_id: str) -> Response:
    return json_response(app.emu.user_edit(calendar_id, "create", None, _body(request)))


def user_patch_event(app: EmulatorApp, request: Request, calendar_id: str, event_id: str) -> Response:
    return json_response(app.emu.user_edit(calendar_id, "patch", event_id, _body(request)))


def user_delete_event(app: EmulatorApp, request: Request, calendar_id: str, event_id: str) -> Response:
    return json_response(app.emu.user_edit(calendar_id, "delete", event_id, {}))


def list_pushes(app: EmulatorApp, request: Request) -> Response:
    pushes = app.emu.pushes.pushes()
    return json_response({"pushes": pushes, "count": len(pushes)})


def clear_pushes(app: EmulatorApp, request: Request) -> Response:
    app.emu.pushes.clear()
    return Response(status=204)


def wait_for_pushes(app: EmulatorApp, request: Request) -> Response:
    return json_response({"idle": app.emu.pushes.wait_idle(float(_body(request).get("timeout", 5.0)))})


def add_redirect_uri(app: EmulatorApp, request: Request, client_id: str) -> Response:
    with app.emu.lock:
        client = app.emu.state.clients[client_id]
        uri = _body(request)["uri"]
        if uri not in client.redirect_uris:
            client.redirect_uris.append(uri)
    return Response(status=204)


def state_summary(app: EmulatorApp, request: Request) -> Response:
    emu = app.emu
    with emu.lock:
        state = emu.state
        body = {
            "users": [asdict(user) for user in state.users.values()],
            "calendars": [asdict(calendar) for calendar in state.calendars.values()],
            "events": [
                events.render(event, emu.base_url(request.root_url), consume_read=False)
                | {"calendarId": event.calendar_id}
                for event in state.events.values()
            ],
            "grants": [
                {"client_id": g.client_id, "email": state.users[g.sub].email, "scopes": sorted(g.scopes)}
                for g in state.grants.values()
            ],
            "channels": [asdict(channel) for channel in state.channels.values()],
            "settings": asdict(emu.settings),
            "now": emu.now_iso(),
        }
    return json_response(body)


def advance_clock(app: EmulatorApp, request: Request) -> Response:
    if not isinstance(app.emu.clock, ManualClock):
        return json_response(
            {"error": "the emulator runs on the system clock; start it with a ManualClock"}, 409
        )
    app.emu.clock.advance(float(_body(request).get("seconds", 0)))
    return json_response({"now": app.emu.now_iso()})


def build_rules() -> Map:
    c = "/_control"
    return Map(
        [
            Rule(f"{c}/reset", endpoint=reset, methods=["POST"]),
            Rule(f"{c}/requests", endpoint=list_requests, methods=["GET"]),
            Rule(f"{c}/requests", endpoint=clear_requests, methods=["DELETE"]),
            Rule(f"{c}/faults", endpoint=get_faults, methods=["GET"]),
            Rule(f"{c}/faults", endpoint=set_faults, methods=["POST", "PUT"]),
            Rule(f"{c}/faults", endpoint=clear_faults, methods=["DELETE"]),
            Rule(f"{c}/settings", endpoint=set_settings, methods=["POST", "PATCH"]),
            Rule(f"{c}/tokens/expire", endpoint=expire_tokens, methods=["POST"]),
            Rule(f"{c}/grants/revoke", endpoint=revoke_grant, methods=["POST"]),
            Rule(f"{c}/sync_tokens/invalidate", endpoint=invalidate_sync_tokens, methods=["POST"]),
            Rule(f"{c}/calendars/<calendar_id>/events", endpoint=user_create_event, methods=["POST"]),
            Rule(
                f"{c}/calendars/<calendar_id>/events/<event_id>", endpoint=user_patch_event, methods=["PATCH"]
            ),
            Rule(
                f"{c}/calendars/<calendar_id>/events/<event_id>",
                endpoint=user_delete_event,
                methods=["DELETE"],
            ),
            Rule(f"{c}/pushes", endpoint=list_pushes, methods=["GET"]),
            Rule(f"{c}/pushes", endpoint=clear_pushes, methods=["DELETE"]),
            Rule(f"{c}/pushes/wait", endpoint=wait_for_pushes, methods=["POST"]),
            Rule(f"{c}/clients/<client_id>/redirect_uris", endpoint=add_redirect_uri, methods=["POST"]),
            Rule(f"{c}/state", endpoint=state_summary, methods=["GET"]),
            Rule(f"{c}/clock/advance", endpoint=advance_clock, methods=["POST"]),
        ],
        strict_slashes=False,
    )
