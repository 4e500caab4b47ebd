"""`/_control/*`: the JSON API tests use to reset, inspect and sabotage the emulator, or act "in Outlook"."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .clock import ManualClock, iso_z
from .errors import GraphError
from .events import apply_changes, new_event, render_event, validate_event_body

if TYPE_CHECKING:
    from .app import EmulatorApp


def _body(request: Request) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    data = json.loads(raw) if raw else {}
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    return data


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status, content_type="application/json")


def reset(app: EmulatorApp, request: Request) -> Response:
    app.emu.reset(_body(request).get("seed"))
    return _json({"status": "reset"})


def list_requests(app: EmulatorApp, request: Request) -> Response:
    entries = app.emu.requests(request.args.get("method"), request.args.get("path"))
    return _json({"requests": entries, "count": len(entries)})


def clear_requests(app: EmulatorApp, request: Request) -> Response:
    app.emu.clear_requests()
    return Response(status=204)


def get_faults(app: EmulatorApp, request: Request) -> Response:
    return _json(app.emu.faults.config.to_dict())


def set_faults(app: EmulatorApp, request: Request) -> Response:
    return _json(app.emu.faults.set(_body(request)).to_dict())


def clear_faults(app: EmulatorApp, request: Request) -> Response:
    app.emu.faults.clear()
    return Response(status=204)


def settings(app: EmulatorApp, request: Request) -> Response:
    """Switches that only an emulator has, e.g. {"allow_http_notification_urls": true} for local tests."""
    body = _body(request)
    config = app.emu.config
    for key in ("allow_http_notification_urls",):
        if key in body:
            setattr(config, key, bool(body[key]))
    return _json({"allow_http_notification_urls": config.allow_http_notification_urls})


def add_redirect_uri(app: EmulatorApp, request: Request, client_id: str) -> Response:
    app.emu.add_redirect_uri(client_id, _body(request)["uri"])
    return Response(status=204)


def expire_access(app: EmulatorApp, request: Request) -> Response:
    return _json({"expired": app.emu.expire_access_tokens()})


def expire_refresh(app: EmulatorApp, request: Request) -> Response:
    return _json({"expired": app.emu.expire_refresh_tokens(_body(request).get("user_id"))})


def revoke_grant(app: EmulatorApp, request: Request) -> Response:
    body = _body(request)
    return _json({"revoked": app.emu.revoke_grant(body["user_id"], body.get("client_id"))})


def forget_delta(app: EmulatorApp, request: Request) -> Response:
    return _json({"forgotten": app.emu.forget_delta_tokens()})


def resync_delta(app: EmulatorApp, request: Request) -> Response:
    return _json({"marked": app.emu.require_resync()})


def outlook_create(app: EmulatorApp, request: Request, user_id: str) -> Response:
    """The user adds an event in Outlook (not through the app): delta and subscriptions see it."""
    emu = app.emu
    body = validate_event_body(_body(request), creating=True)
    with emu.mutation() as state:
        user = state.users[user_id]
        event = new_event(state, user, state.default_calendar(user.id).id, body, emu.clock.now())
        emu.notify(event, "created")
        return _json(render_event(emu, event, "UTC"), 201)


def outlook_update(app: EmulatorApp, request: Request, event_id: str) -> Response:
    emu = app.emu
    body = validate_event_body(_body(request), creating=False)
    with emu.mutation() as state:
        event = state.events[event_id]
        apply_changes(event, body, state.users[event.owner_id], emu.clock.now())
        event.change_seq = state.next_seq()
        emu.notify(event, "updated")
        return _json(render_event(emu, event, "UTC"))


def outlook_delete(app: EmulatorApp, request: Request, event_id: str) -> Response:
    emu = app.emu
    with emu.mutation() as state:
        emu.remove_event(state.events[event_id])
    return Response(status=204)


def lifecycle(app: EmulatorApp, request: Request, subscription_id: str) -> Response:
    event = _body(request).get("event", "")
    from .subscriptions import LIFECYCLE_EVENTS

    if event not in LIFECYCLE_EVENTS:
        return _json({"error": f"event must be one of {LIFECYCLE_EVENTS}"}, 400)
    return _json(app.emu.lifecycle(subscription_id, event))


def deliveries(app: EmulatorApp, request: Request) -> Response:
    found = app.emu.notifier.deliveries()
    return _json({"deliveries": found, "count": len(found)})


def wait_deliveries(app: EmulatorApp, request: Request) -> Response:
    return _json({"idle": app.emu.notifier.wait_idle(float(_body(request).get("timeout", 5.0)))})


def state_summary(app: EmulatorApp, request: Request) -> Response:
    emu = app.emu
    with emu.lock:
        state = emu.state
        body = {
            "users": [
                {
                    "id": u.id,
                    "upn": u.user_principal_name,
                    "account_type": u.account_type,
                    "tenant_id": u.tenant_id,
                }
                for u in state.users.values()
            ],
            "calendars": [
                {"id": c.id, "owner_id": c.owner_id, "name": c.name, "is_default": c.is_default}
                for c in state.calendars.values()
            ],
            "events": [
                dict(render_event(emu, e, "UTC"), owner_id=e.owner_id)
                for e in state.events.values()
                if e.deleted_seq is None
            ],
            "subscriptions": [
                {
                    "id": s.id,
                    "user_id": s.user_id,
                    "resource": s.resource,
                    "expirationDateTime": iso_z(s.expires_at),
                }
                for s in state.subscriptions.values()
            ],
            "grants": [{"client_id": c, "user_id": u} for c, u in state.grants],
        }
    return _json(body)


def advance_clock(app: EmulatorApp, request: Request) -> Response:
    if not isinstance(app.emu.clock, ManualClock):
        return _json({"error": "the emulator runs on the system clock"}, 409)
    app.emu.clock.advance(float(_body(request).get("seconds", 0)))
    return _json({"now": iso_z(app.emu.clock.now())})


def build_rules() -> Map:
    c = "/_control"
    return Map(
        [
            Rule(f"{c}/reset", endpoint=reset, methods=["POST"]),
            Rule(f"{c}/requests", endpoint=list_requests, methods=["GET"]),
            Rule(f"{c}/requests", endpoint=clear_requests, methods=["DELETE"]),
            Rule(f"{c}/faults", endpoint=get_faults, methods=["GET"]),
            Rule(f"{c}/faults", endpoint=set_faults, methods=["POST"]),
            Rule(f"{c}/faults", endpoint=clear_faults, methods=["DELETE"]),
            Rule(f"{c}/settings", endpoint=settings, methods=["POST"]),
            Rule(f"{c}/apps/<client_id>/redirect_uris", endpoint=add_redirect_uri, methods=["POST"]),
            Rule(f"{c}/tokens/expire", endpoint=expire_access, methods=["POST"]),
            Rule(f"{c}/refresh_tokens/expire", endpoint=expire_refresh, methods=["POST"]),
            Rule(f"{c}/grants/revoke", endpoint=revoke_grant, methods=["POST"]),
            Rule(f"{c}/delta/forget", endpoint=forget_delta, methods=["POST"]),
            Rule(f"{c}/delta/resync", endpoint=resync_delta, methods=["POST"]),
            Rule(f"{c}/users/<user_id>/events", endpoint=outlook_create, methods=["POST"]),
            Rule(f"{c}/events/<event_id>", endpoint=outlook_update, methods=["PATCH"]),
            Rule(f"{c}/events/<event_id>", endpoint=outlook_delete, methods=["DELETE"]),
            Rule(f"{c}/subscriptions/<subscription_id>/lifecycle", endpoint=lifecycle, methods=["POST"]),
            Rule(f"{c}/notifications", endpoint=deliveries, methods=["GET"]),
            Rule(f"{c}/notifications/wait", endpoint=wait_deliveries, methods=["POST"]),
            Rule(f"{c}/state", endpoint=state_summary, methods=["GET"]),
            Rule(f"{c}/clock/advance", endpoint=advance_clock, methods=["POST"]),
        ],
        strict_slashes=False,
    )


__all__ = ["GraphError", "build_rules"]
