"""HTTP side of Calendar API v3: calendarList.list, freeBusy.query, events.*, events.watch, channels.stop."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from . import events
from .api_auth import (
    CALENDAR_LIST_SCOPES,
    EVENT_READ_SCOPES,
    EVENT_WRITE_SCOPES,
    FREEBUSY_SCOPES,
    authenticate,
)
from .clock import rfc3339_ms
from .errors import ApiError, bad_request, invalid_value, json_response, not_found
from .models import Calendar, CalendarAccess, Channel, Event, User
from .times import utc_text

if TYPE_CHECKING:
    from .app import EmulatorApp

ROLE_RANK = {"freeBusyReader": 0, "reader": 1, "writer": 2, "owner": 3}
CHANNEL_ID = re.compile(r"^[A-Za-z0-9\-_+/=]{1,64}$")
DEFAULT_CHANNEL_SECONDS = 7 * 24 * 3600
SEND_UPDATES = ("all", "externalOnly", "none")


def _json_body(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "parseError", "Parse Error") from None


def _params(request: Request) -> dict[str, list[str]]:
    return {key: request.args.getlist(key) for key in request.args}


def _access(app: EmulatorApp, user: User, calendar_id: str) -> tuple[Calendar, CalendarAccess]:
    state = app.emu.state
    if calendar_id == "primary":
        calendar_id = user.email
    for entry in state.calendar_lists.get(user.sub, []):
        if entry.calendar_id == calendar_id:
            return state.calendars[calendar_id], entry
    raise not_found()


def _writable(access: CalendarAccess) -> None:
    if ROLE_RANK[access.access_role] < ROLE_RANK["writer"]:
        raise ApiError(403, "requiredAccessLevel", "You need to have writer access to this calendar.")


def _readable(access: CalendarAccess) -> None:
    if ROLE_RANK[access.access_role] < ROLE_RANK["reader"]:
        raise ApiError(403, "forbidden", "Forbidden")


def _conference_version(request: Request) -> int:
    raw = request.args.get("conferenceDataVersion", "0")
    if raw not in ("0", "1"):
        raise invalid_value("conferenceDataVersion")
    return int(raw)


def _send_updates(request: Request) -> None:
    if request.args.get("sendUpdates", "none") not in SEND_UPDATES:
        raise invalid_value("sendUpdates")


def _event(app: EmulatorApp, calendar: Calendar, event_id: str) -> Event:
    event = app.emu.state.events.get((calendar.id, event_id))
    if event is None:
        raise not_found()
    return event


# --- calendarList ----------------------------------------------------------------------------------------


def calendar_list(app: EmulatorApp, request: Request) -> Response:
    _, user = authenticate(app.emu, request, CALENDAR_LIST_SCOPES)
    minimum = request.args.get("minAccessRole")
    if minimum is not None and minimum not in ROLE_RANK:
        raise invalid_value("minAccessRole")
    show_hidden = request.args.get("showHidden")
    if show_hidden not in (None, "true", "false"):
        raise invalid_value("showHidden")
    with app.emu.lock:
        items = []
        for entry in app.emu.state.calendar_lists.get(user.sub, []):
            if minimum and ROLE_RANK[entry.access_role] < ROLE_RANK[minimum]:
                continue
            calendar = app.emu.state.calendars[entry.calendar_id]
            item: dict[str, Any] = {
                "kind": "calendar#calendarListEntry",
                "etag": '"' + str(int(hashlib.sha256(calendar.id.encode()).hexdigest()[:12], 16)) + '"',
                "id": calendar.id,
                "summary": calendar.summary,
                "timeZone": calendar.time_zone,
                "colorId": "14" if entry.primary else "7",
                "backgroundColor": "#9fe1e7" if entry.primary else "#42d692",
                "foregroundColor": "#000000",
                "selected": True,
                "accessRole": entry.access_role,
                "defaultReminders": [{"method": "popup", "minutes": 10}] if entry.primary else [],
            }
            if calendar.description:
                item["description"] = calendar.description
            if entry.primary:
                item["primary"] = True
            items.append(item)
    return json_response(
        {
            "kind": "calendar#calendarList",
            "etag": '"p33g"',
            "nextSyncToken": "CL" + secrets.token_hex(8),
            "items": items,
        }
    )


# --- freeBusy --------------------------------------------------------------------------------------------


def free_busy(app: EmulatorApp, request: Request) -> Response:
    _, user = authenticate(app.emu, request, FREEBUSY_SCOPES)
    body = _json_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "parseError", "Parse Error")
    for name in ("timeMin", "timeMax"):
        if not body.get(name):
            raise ApiError(400, "required", "Required", location=name)
    try:
        start = datetime.fromisoformat(str(body["timeMin"]))
        end = datetime.fromisoformat(str(body["timeMax"]))
    except ValueError:
        raise bad_request() from None
    if start.tzinfo is None or end.tzinfo is None:
        raise bad_request()
    if end < start:
        raise ApiError(
            400, "timeRangeEmpty", "The specified time range is empty.", domain="calendar", location="timeMax"
        )
    items = body.get("items") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("id") for i in items):
        raise ApiError(400, "required", "Required", location="items.id")
    calendars: dict[str, Any] = {}
    with app.emu.lock:
        for item in items:
            calendar_id = str(item["id"])
            try:
                calendar, _access_entry = _access(app, user, calendar_id)
            except ApiError:
                calendars[calendar_id] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
                continue
            busy = events.busy_intervals(app.emu.state, calendar, start, end, app.emu.clock.now())
            calendars[calendar_id] = {"busy": [{"start": utc_text(a), "end": utc_text(b)} for a, b in busy]}
    answer = {
        "kind": "calendar#freeBusy",
        "timeMin": utc_text(start),
        "timeMax": utc_text(end),
        "calendars": calendars,
    }
    return json_response(answer)


# --- events ----------------------------------------------------------------------------------------------


def list_events(app: EmulatorApp, request: Request, calendar_id: str) -> Response:
    _, user = authenticate(app.emu, request, EVENT_READ_SCOPES)
    with app.emu.lock:
        calendar, access = _access(app, user, calendar_id)
        _readable(access)
        answer = events.list_events(
            app.emu.state, calendar, _params(request), app.emu.clock.now(), app.base_url(request)
        )
        answer["accessRole"] = access.access_role
    return json_response(answer)


def insert_event(app: EmulatorApp, request: Request, calendar_id: str) -> Response:
    _, user = authenticate(app.emu, request, EVENT_WRITE_SCOPES)
    body = _json_body(request)
    version = _conference_version(request)
    _send_updates(request)
    with app.emu.lock:
        calendar, access = _access(app, user, calendar_id)
        _writable(access)
        ctx = events.WriteContext(
            app.emu.clock.now(), user.email, version, app.emu.settings.meet_pending_reads
        )
        event = events.create_event(app.emu.state, calendar, body, ctx)
        rendered = events.render(event, app.base_url(request))
    app.emu.notify(calendar.id)
    return json_response(rendered)


def get_event(app: EmulatorApp, request: Request, calendar_id: str, event_id: str) -> Response:
    _, user = authenticate(app.emu, request, EVENT_READ_SCOPES)
    with app.emu.lock:
        calendar, access = _access(app, user, calendar_id)
        _readable(access)
        event = app.emu.state.events.get((calendar.id, event_id))
        if event is not None:
            # A deleted event still reads, with status "cancelled".
            return json_response(events.render(event, app.base_url(request)))
        instance = events.find_instance(app.emu.state, calendar, event_id, app.emu.clock.now())
        if instance is None:
            raise not_found()
        return json_response(instance.row(app.base_url(request)))


def patch_event(app: EmulatorApp, request: Request, calendar_id: str, event_id: str) -> Response:
    _, user = authenticate(app.emu, request, EVENT_WRITE_SCOPES)
    body = _json_body(request)
    version = _conference_version(request)
    _send_updates(request)
    with app.emu.lock:
        calendar, access = _access(app, user, calendar_id)
        _writable(access)
        event = _event(app, calendar, event_id)
        ctx = events.WriteContext(
            app.emu.clock.now(), user.email, version, app.emu.settings.meet_pending_reads
        )
        events.patch_event(app.emu.state, calendar, event, body, ctx)
        rendered = events.render(event, app.base_url(request))
    app.emu.notify(calendar.id)
    return json_response(rendered)


def delete_event(app: EmulatorApp, request: Request, calendar_id: str, event_id: str) -> Response:
    _, user = authenticate(app.emu, request, EVENT_WRITE_SCOPES)
    _send_updates(request)
    with app.emu.lock:
        calendar, access = _access(app, user, calendar_id)
        _writable(access)
        events.delete_event(app.emu.state, _event(app, calendar, event_id), app.emu.clock.now())
    app.emu.notify(calendar.id)
    return Response(status=204)


# --- push channels ---------------------------------------------------------------------------------------


def watch_events(app: EmulatorApp, request: Request, calendar_id: str) -> Response:
    token, user = authenticate(app.emu, request, EVENT_READ_SCOPES)
    body = _json_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "parseError", "Parse Error")
    channel_id = body.get("id")
    if not channel_id:
        raise ApiError(400, "required", "Required", location="id")
    if not isinstance(channel_id, str) or not CHANNEL_ID.match(channel_id):
        raise invalid_value("id")
    if body.get("type") not in ("web_hook", "webhook"):
        raise ApiError(400, "push.channelTypeUnknown", f"Unknown channel type: {body.get('type')}")
    address = body.get("address")
    if not isinstance(address, str) or not address:
        raise ApiError(400, "required", "Required", location="address")
    if not address.startswith("https://") and not (
        app.emu.settings.allow_insecure_push and address.startswith("http://")
    ):
        raise ApiError(400, "push.webhookUrlNotHttps", f"WebHook callback must be HTTPS: {address}")
    now_ms = int(app.emu.clock.now() * 1000)
    expiration = _channel_expiration(body, now_ms)
    with app.emu.lock:
        calendar, access = _access(app, user, calendar_id)
        _readable(access)
        if channel_id in app.emu.state.channels:
            raise ApiError(400, "channelIdNotUnique", "Channel id not unique")
        channel = Channel(
            id=channel_id,
            resource_id=app.emu.resource_id(calendar.id),
            calendar_id=calendar.id,
            address=address,
            token=body.get("token"),
            expiration_ms=expiration,
            client_id=token.client_id,
            sub=user.sub,
        )
    resource_uri = f"{app.base_url(request)}/calendar/v3/calendars/{calendar.id}/events?alt=json"
    app.emu.start_channel(channel, resource_uri)
    answer: dict[str, Any] = {
        "kind": "api#channel",
        "id": channel.id,
        "resourceId": channel.resource_id,
        "resourceUri": resource_uri,
        "expiration": str(channel.expiration_ms),
    }
    if channel.token is not None:
        answer["token"] = channel.token
    return json_response(answer)


def _channel_expiration(body: dict[str, Any], now_ms: int) -> int:
    longest = now_ms + DEFAULT_CHANNEL_SECONDS * 1000
    ttl = (body.get("params") or {}).get("ttl")
    if ttl is not None:
        try:
            return min(now_ms + int(ttl) * 1000, longest)
        except (TypeError, ValueError):
            raise invalid_value("params.ttl") from None
    if body.get("expiration") is not None:
        try:
            requested = int(body["expiration"])
        except (TypeError, ValueError):
            raise invalid_value("expiration") from None
        return min(requested, longest)
    return longest


def stop_channel(app: EmulatorApp, request: Request) -> Response:
    token, _ = authenticate(app.emu, request, EVENT_READ_SCOPES)
    body = _json_body(request)
    if not isinstance(body, dict) or not body.get("id") or not body.get("resourceId"):
        raise ApiError(
            400, "required", "Required", location="id" if not (body or {}).get("id") else "resourceId"
        )
    with app.emu.lock:
        channel = app.emu.state.channels.get(str(body["id"]))
        if channel is None or channel.resource_id != body["resourceId"] or channel.stopped:
            raise ApiError(
                404, "notFound", f"Channel '{body['id']}' not found for project '{token.client_id}'"
            )
        channel.stopped = True
    return Response(status=204)


def now_text(app: EmulatorApp) -> str:
    return rfc3339_ms(app.emu.clock.now())
