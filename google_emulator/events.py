"""Events: validation, storage, rendering, recurrence expansion, listing with sync tokens and free/busy.

Every function here runs under the emulator's lock (the HTTP views and the control API take it)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from . import recurrence
from .clock import rfc3339_ms
from .errors import ApiError, bad_request, invalid_value
from .models import Calendar, Event, State
from .times import is_all_day, moment, point_like

EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
WRITABLE = (
    "summary",
    "description",
    "location",
    "start",
    "end",
    "transparency",
    "visibility",
    "attendees",
    "extendedProperties",
    "recurrence",
    "reminders",
    "colorId",
    "status",
    "conferenceData",
    "source",
    "guestsCanModify",
    "guestsCanInviteOthers",
    "guestsCanSeeOtherGuests",
    "anyoneCanAddSelf",
)
# Parameters Google refuses beside syncToken ("events.list" reference, syncToken parameter).
NOT_WITH_SYNC_TOKEN = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)
DEFAULT_PAGE_SIZE = 250
MAX_PAGE_SIZE = 2500
EXPANSION_HORIZON = timedelta(days=730)
MEET_ICON = "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png"


def new_event_id() -> str:
    # Google's ids use base32hex's alphabet (lowercase a-v and 0-9), the same rule client-chosen ids follow.
    return base64.b32hexencode(secrets.token_bytes(15)).decode().lower()


def meet_code() -> str:
    letters = string.ascii_lowercase
    return "-".join("".join(secrets.choice(letters) for _ in range(n)) for n in (3, 4, 3))


# --- validation ------------------------------------------------------------------------------------------


def _check_body(body: dict[str, Any], calendar: Calendar) -> tuple[datetime, datetime]:
    if "end" not in body or not body["end"]:
        raise ApiError(400, "required", "Missing end time.")
    start = moment(body.get("start"), calendar.time_zone, "start")
    end = moment(body["end"], calendar.time_zone, "end")
    if is_all_day(body["start"]) != is_all_day(body["end"]):
        raise bad_request("Start and end times must either both be date or both be dateTime.")
    if end < start:
        raise ApiError(
            400,
            "timeRangeEmpty",
            "The specified time range is empty.",
            domain="calendar",
            location="end.dateTime",
        )
    if body.get("transparency") not in (None, "opaque", "transparent"):
        raise invalid_value("transparency")
    if body.get("status") not in (None, "confirmed", "tentative", "cancelled"):
        raise invalid_value("status")
    if body.get("recurrence"):
        if not isinstance(body["recurrence"], list):
            raise invalid_value("recurrence")
        if not is_all_day(body["start"]) and not body["start"].get("timeZone"):
            # Google needs a zone to know what "the same time next week" means.
            raise ApiError(400, "required", "Missing time zone definition for start time.")
        recurrence.parse_rrule(body["recurrence"])
    _check_extended_properties(body.get("extendedProperties"))
    attendees = body.get("attendees")
    if attendees is not None and (
        not isinstance(attendees, list) or not all(isinstance(a, dict) and a.get("email") for a in attendees)
    ):
        raise ApiError(400, "required", "Missing attendee email.")
    return start, end


def _check_extended_properties(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or set(value) - {"private", "shared"}:
        raise invalid_value("extendedProperties")
    for scope in value.values():
        if not isinstance(scope, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in scope.items()
        ):
            raise invalid_value("extendedProperties")


# --- writes ----------------------------------------------------------------------------------------------


@dataclass
class WriteContext:
    now: float
    actor_email: str
    conference_version: int
    meet_pending_reads: int = 0


def create_event(state: State, calendar: Calendar, body: dict[str, Any], ctx: WriteContext) -> Event:
    if not isinstance(body, dict):
        raise bad_request("Bad Request", "parseError")
    event_id = body.get("id") or new_event_id()
    if not isinstance(event_id, str) or not EVENT_ID.match(event_id):
        raise ApiError(400, "invalid", "Invalid resource id value.")
    if (calendar.id, event_id) in state.events:
        # Also when the earlier event was deleted: ids stay taken (Google's 409 for client-chosen ids).
        raise ApiError(409, "duplicate", "The requested identifier already exists.")
    _check_body(body, calendar)
    stored = {key: copy.deepcopy(body[key]) for key in WRITABLE if key in body}
    status = stored.pop("status", "confirmed")
    stored.pop("conferenceData", None)
    stored["creator"] = {"email": ctx.actor_email}
    stored["organizer"] = {"email": calendar.id, "displayName": calendar.summary}
    seq = state.next_change()
    event = Event(
        id=event_id,
        calendar_id=calendar.id,
        body=stored,
        created=ctx.now,
        updated=ctx.now,
        change_seq=seq,
        etag_seq=seq,
        status=status,
    )
    if ctx.conference_version >= 1 and isinstance(body.get("conferenceData"), dict):
        _apply_conference(event, body["conferenceData"], ctx)
    state.events[(calendar.id, event_id)] = event
    return event


def _apply_conference(event: Event, data: dict[str, Any], ctx: WriteContext) -> None:
    request = data.get("createRequest")
    if request is None:
        return  # Copying existing conference data (entryPoints) is not something Rendez does; ignored.
    if not isinstance(request, dict) or not request.get("requestId"):
        raise ApiError(400, "invalid", "Invalid conference create request.")
    kind = (request.get("conferenceSolutionKey") or {}).get("type")
    if kind != "hangoutsMeet":
        raise ApiError(400, "invalid", "Invalid conference type value.")
    code = meet_code()
    event.body["conferenceData"] = {
        "createRequest": {
            "requestId": request["requestId"],
            "conferenceSolutionKey": {"type": kind},
            "status": {"statusCode": "success"},
        },
        "entryPoints": [
            {
                "entryPointType": "video",
                "uri": f"https://meet.google.com/{code}",
                "label": f"meet.google.com/{code}",
            }
        ],
        "conferenceSolution": {"key": {"type": kind}, "name": "Google Meet", "iconUri": MEET_ICON},
        "conferenceId": code,
    }
    event.body["hangoutLink"] = f"https://meet.google.com/{code}"
    event.meet_pending_reads = ctx.meet_pending_reads


def patch_event(
    state: State, calendar: Calendar, event: Event, changes: dict[str, Any], ctx: WriteContext
) -> None:
    if not isinstance(changes, dict):
        raise bad_request("Bad Request", "parseError")
    merged = copy.deepcopy(event.body)
    for key in WRITABLE:
        if key in changes and key not in ("status", "conferenceData"):
            value = changes[key]
            if (
                isinstance(value, dict)
                and isinstance(merged.get(key), dict)
                and key != "start"
                and key != "end"
            ):
                merged[key] = _deep_merge(merged[key], value)
            elif value is None:
                merged.pop(key, None)
            else:
                merged[key] = copy.deepcopy(value)
    _check_body(merged, calendar)
    if merged.get("start") != event.body.get("start") or merged.get("end") != event.body.get("end"):
        event.sequence += 1
    event.body = merged
    if "status" in changes:
        if changes["status"] not in ("confirmed", "tentative", "cancelled"):
            raise invalid_value("status")
        event.status = changes["status"]
    adds_conference = isinstance(changes.get("conferenceData"), dict) and "conferenceData" not in event.body
    if ctx.conference_version >= 1 and adds_conference:
        _apply_conference(event, changes["conferenceData"], ctx)
    _touch(state, event, ctx.now)


def _deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        elif value is None:
            merged.pop(key, None)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def delete_event(state: State, event: Event, now: float) -> None:
    if event.status == "cancelled":
        raise ApiError(410, "deleted", "Resource has been deleted")
    event.status = "cancelled"
    _touch(state, event, now)


def _touch(state: State, event: Event, now: float) -> None:
    event.updated = now
    event.change_seq = state.next_change()
    event.etag_seq = event.change_seq


# --- rendering -------------------------------------------------------------------------------------------


def etag(event: Event) -> str:
    return f'"{3_180_000_000_000_000 + event.etag_seq * 1000}"'


def render(event: Event, base_url: str, *, consume_read: bool = True) -> dict[str, Any]:
    """The Event resource as Google returns it from get/insert/patch (a deleted event still reads in full)."""
    data: dict[str, Any] = {
        "kind": "calendar#event",
        "etag": etag(event),
        "id": event.id,
        "status": event.status,
        "htmlLink": f"{base_url}/calendar/event?eid={event.id}",
        "created": rfc3339_ms(event.created),
        "updated": rfc3339_ms(event.updated),
    }
    body = copy.deepcopy(event.body)
    for party in ("creator", "organizer"):
        if body.get(party, {}).get("email") == event.calendar_id:
            body[party]["self"] = True
    for attendee in body.get("attendees", []):
        attendee.setdefault("responseStatus", "needsAction")
        if attendee.get("email") == event.calendar_id:
            attendee["self"] = True
    data.update(body)
    data["iCalUID"] = f"{event.id}@google.com"
    data["sequence"] = event.sequence
    data.setdefault("reminders", {"useDefault": True})
    data["eventType"] = "default"
    conference = data.get("conferenceData")
    if conference and event.meet_pending_reads > 0:
        # Google documents conference creation as asynchronous: "pending" until the solution is ready.
        if consume_read:
            event.meet_pending_reads -= 1
        pending = {"createRequest": copy.deepcopy(conference["createRequest"])}
        pending["createRequest"]["status"] = {"statusCode": "pending"}
        data["conferenceData"] = pending
        data.pop("hangoutLink", None)
    return data


def render_cancelled(event: Event, instance_id: str | None = None) -> dict[str, Any]:
    """What incremental sync and showDeleted return for a deleted event: Google only promises the id."""
    return {
        "kind": "calendar#event",
        "etag": etag(event),
        "id": instance_id or event.id,
        "status": "cancelled",
    }


# --- expansion -------------------------------------------------------------------------------------------


@dataclass
class Item:
    """One row of an events.list answer: a single event, a recurring master or one of its instances."""

    event: Event
    start: datetime
    end: datetime
    instance_of: datetime | None = None  # the instance's start, for instances

    def row(self, base_url: str) -> dict[str, Any]:
        if self.event.status == "cancelled":
            return render_cancelled(self.event, self.instance_id)
        data = render(self.event, base_url)
        if self.instance_of is not None:
            data.pop("recurrence", None)
            data["id"] = self.instance_id
            data["recurringEventId"] = self.event.id
            data["start"] = point_like(self.event.body["start"], self.start)
            data["end"] = point_like(self.event.body["end"], self.end)
            data["originalStartTime"] = data["start"]
        return data

    @property
    def instance_id(self) -> str | None:
        if self.instance_of is None:
            return None
        suffix = recurrence.instance_suffix(self.instance_of, is_all_day(self.event.body["start"]))
        return f"{self.event.id}_{suffix}"


def span(event: Event, calendar: Calendar) -> tuple[datetime, datetime]:
    start = moment(event.body["start"], calendar.time_zone, "start")
    end = moment(event.body["end"], calendar.time_zone, "end")
    return start, end


def items_of(event: Event, calendar: Calendar, single: bool, now: float) -> list[Item]:
    start, end = span(event, calendar)
    if not event.body.get("recurrence") or (event.status == "cancelled" and not single):
        return [Item(event, start, end)]
    # A deleted series with singleEvents=true comes back as its cancelled instances, so a client that keyed
    # its copy by instance id can drop each one.
    duration = end - start
    zone_name = event.body["start"].get("timeZone") or calendar.time_zone
    horizon = datetime.fromtimestamp(now, UTC) + EXPANSION_HORIZON
    starts = list(recurrence.occurrences(event.body["recurrence"], start, ZoneInfo(zone_name), horizon))
    if not single:
        last_end = (starts[-1] + duration) if starts else end
        return [Item(event, start, last_end)]
    return [Item(event, at, at + duration, instance_of=at) for at in starts]


def find_instance(state: State, calendar: Calendar, event_id: str, now: float) -> Item | None:
    master_id, _, _suffix = event_id.rpartition("_")
    master = state.events.get((calendar.id, master_id))
    if master is None or not master.body.get("recurrence"):
        return None
    return next(
        (item for item in items_of(master, calendar, True, now) if item.instance_id == event_id), None
    )


# --- listing and sync tokens -----------------------------------------------------------------------------


def sync_token(calendar_id: str, seq: int, generation: int) -> str:
    raw = json.dumps({"c": calendar_id, "s": seq, "g": generation}, separators=(",", ":")).encode()
    return "CP" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_sync_token(token: str, calendar_id: str, generation: int) -> int:
    try:
        padded = token[2:] + "=" * (-len(token[2:]) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded))
        if data["c"] == calendar_id and data["g"] == generation:
            return int(data["s"])
    except (ValueError, KeyError, TypeError):
        pass
    raise ApiError(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")


def _page_key(params: dict[str, list[str]]) -> str:
    relevant = {k: v for k, v in sorted(params.items()) if k not in ("pageToken", "maxResults")}
    return hashlib.sha256(json.dumps(relevant).encode()).hexdigest()[:16]


def _last(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def _flag(params: dict[str, list[str]], name: str) -> bool:
    value = (params.get(name) or ["false"])[-1]
    if value not in ("true", "false"):
        raise invalid_value(name)
    return value == "true"


def _time_param(params: dict[str, list[str]], name: str) -> datetime | None:
    if name not in params:
        return None
    value = params[name][-1]
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise bad_request("Bad Request", "badRequest") from None
    if parsed.tzinfo is None:
        # Google: "Must be an RFC3339 timestamp with mandatory time zone offset".
        raise bad_request("Bad Request", "badRequest")
    return parsed


def list_events(
    state: State, calendar: Calendar, params: dict[str, list[str]], now: float, base_url: str
) -> dict[str, Any]:
    single = _flag(params, "singleEvents")
    show_deleted = _flag(params, "showDeleted")
    token = _last(params, "syncToken")
    generation = state.sync_generation.get(calendar.id, 0)
    if token is not None:
        for name in NOT_WITH_SYNC_TOKEN:
            if name in params:
                raise ApiError(
                    400,
                    "invalid",
                    f"Invalid combination of parameters: {name} with syncToken.",
                    location=name,
                )
    order = _last(params, "orderBy")
    if order not in (None, "startTime", "updated"):
        raise invalid_value("orderBy")
    if order == "startTime" and not single:
        raise bad_request("The requested ordering is not available for the particular query.")
    max_results = _page_size(params)
    page = _read_page_token(params, state.change_seq)
    since = read_sync_token(token, calendar.id, generation) if token is not None else None

    rows = _matching(state, calendar, params, now, single, show_deleted, since)
    if order == "startTime":
        rows.sort(key=lambda item: (item.start, item.event.id))
    elif order == "updated":
        rows.sort(key=lambda item: (item.event.updated, item.event.id))
    else:
        rows.sort(key=lambda item: (item.event.created, item.event.id, item.start))
    offset, snapshot = page
    chunk = rows[offset : offset + max_results]
    answer: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": f'"p{snapshot}"',
        "summary": calendar.summary,
        "description": calendar.description,
        "updated": rfc3339_ms(max([r.event.updated for r in rows], default=now)),
        "timeZone": calendar.time_zone,
        "accessRole": "owner",
        "defaultReminders": [],
        "items": [item.row(base_url) for item in chunk],
    }
    if offset + max_results < len(rows):
        answer["nextPageToken"] = _page_token(offset + max_results, snapshot, params)
    else:
        answer["nextSyncToken"] = sync_token(calendar.id, snapshot, generation)
    return answer


def _page_size(params: dict[str, list[str]]) -> int:
    raw = (params.get("maxResults") or [str(DEFAULT_PAGE_SIZE)])[-1]
    try:
        size = int(raw)
    except ValueError:
        raise invalid_value("maxResults") from None
    if size < 1:
        raise invalid_value("maxResults")
    return min(size, MAX_PAGE_SIZE)


def _page_token(offset: int, snapshot: int, params: dict[str, list[str]]) -> str:
    raw = json.dumps({"o": offset, "s": snapshot, "k": _page_key(params)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_page_token(params: dict[str, list[str]], current_seq: int) -> tuple[int, int]:
    token = _last(params, "pageToken")
    if token is None:
        return 0, current_seq
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data["k"] == _page_key(params):
            return int(data["o"]), int(data["s"])
    except (ValueError, KeyError, TypeError):
        pass
    raise invalid_value("pageToken")


def _property_filters(params: dict[str, list[str]], name: str) -> list[tuple[str, str]]:
    filters = []
    for raw in params.get(name, []):
        key, sep, value = raw.partition("=")
        if not sep or not key:
            raise invalid_value(name)
        filters.append((key, value))
    return filters


def _matching(
    state: State,
    calendar: Calendar,
    params: dict[str, list[str]],
    now: float,
    single: bool,
    show_deleted: bool,
    since: int | None,
) -> list[Item]:
    time_min = _time_param(params, "timeMin")
    time_max = _time_param(params, "timeMax")
    updated_min = _time_param(params, "updatedMin")
    private = _property_filters(params, "privateExtendedProperty")
    shared = _property_filters(params, "sharedExtendedProperty")
    text = (params.get("q") or [""])[-1].lower()
    ical = _last(params, "iCalUID")
    rows: list[Item] = []
    for event in state.events.values():
        if event.calendar_id != calendar.id:
            continue
        if since is not None:
            # Incremental sync: all changes since the token, deletions included whatever showDeleted says.
            if event.change_seq > since:
                rows.extend(items_of(event, calendar, single, now))
            continue
        if event.status == "cancelled" and not show_deleted and updated_min is None:
            continue  # with updatedMin, deletions since then are always included (events.list reference)
        if updated_min is not None and event.updated < updated_min.timestamp():
            continue
        props = event.body.get("extendedProperties", {})
        if any(props.get("private", {}).get(k) != v for k, v in private):
            continue
        if any(props.get("shared", {}).get(k) != v for k, v in shared):
            continue
        if ical and f"{event.id}@google.com" != ical:
            continue
        if text and not any(
            text in str(event.body.get(f, "")).lower() for f in ("summary", "description", "location")
        ):
            continue
        for item in items_of(event, calendar, single, now):
            # timeMin bounds the END (exclusive), timeMax the START (exclusive): events.list reference.
            if time_min is not None and item.end <= time_min:
                continue
            if time_max is not None and item.start >= time_max:
                continue
            rows.append(item)
    return rows


# --- free/busy -------------------------------------------------------------------------------------------


def busy_intervals(
    state: State, calendar: Calendar, start: datetime, end: datetime, now: float
) -> list[tuple[datetime, datetime]]:
    """Opaque, not cancelled, not declined by the calendar's own user; merged and clipped to the window."""
    spans: list[tuple[datetime, datetime]] = []
    for event in state.events.values():
        if event.calendar_id != calendar.id or event.status == "cancelled":
            continue
        if event.body.get("transparency") == "transparent":
            continue
        own = [a for a in event.body.get("attendees", []) if a.get("email") == calendar.id]
        if own and own[0].get("responseStatus") == "declined":
            continue
        for item in items_of(event, calendar, True, now):
            if item.end > start and item.start < end and item.end > item.start:
                spans.append((max(item.start, start), min(item.end, end)))
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, finish in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged
