"""Microsoft Graph v1.0: /me, calendars, events (with single-value extended properties), calendarView and
getSchedule. Delta queries live in delta.py, subscriptions in subscriptions.py."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .clock import iso_z
from .errors import GraphError, access_denied, bad_request, invalid_token, item_not_found, json_response
from .events import (
    new_event,
    overlaps,
    parse_date_time_zone,
    render_event,
    validate_event_body,
    zone_of,
)
from .state import Calendar, Event, Token, User

if TYPE_CHECKING:
    from .app import EmulatorApp

READ_SCOPES = {"Calendars.Read", "Calendars.ReadWrite"}
WRITE_SCOPES = {"Calendars.ReadWrite"}
ANY_FILTER = re.compile(
    r"^singleValueExtendedProperties/any\((\w+):\s*\1/id eq '((?:[^']|'')*)'"
    r" and \1/value eq '((?:[^']|'')*)'\)$",
    re.I,
)
EXPAND = re.compile(r"^singleValueExtendedProperties(?:\(\$filter=id eq '((?:[^']|'')*)'\))?$", re.I)


# --- authentication ---------------------------------------------------------------------------------------


def authenticate(app: EmulatorApp, request: Request, needed: set[str] | None = None) -> tuple[User, Token]:
    header = request.headers.get("Authorization", "")
    if not header:
        raise invalid_token("Access token is empty.")
    if not header.startswith("Bearer "):
        raise invalid_token("Access token validation failure. Invalid audience.")
    value = header[len("Bearer ") :].strip()
    token = app.emu.state.tokens.get(value)
    if token is None or token.kind != "access":
        if "." not in value:
            raise invalid_token("IDX14100: JWT is not well formed, there are no dots (.).")
        raise invalid_token("Access token validation failure. Invalid audience.")
    if token.expires_at <= app.emu.clock.now():
        raise invalid_token("Lifetime validation failed, the token is expired.")
    if needed and not needed & set(token.scopes):
        raise access_denied()
    return app.emu.state.users[token.user_id], token


def output_zone(request: Request) -> str:
    """`Prefer: outlook.timezone="..."` picks the zone of returned start/end; UTC otherwise."""
    for part in request.headers.get("Prefer", "").split(","):
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "outlook.timezone" and value:
            zone = value.strip().strip('"')
            zone_of(zone)
            return zone
    return "UTC"


def max_page_size(request: Request, default: int) -> tuple[int, bool]:
    for part in request.headers.get("Prefer", "").split(","):
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "odata.maxpagesize" and value.strip().isdigit():
            return max(1, int(value.strip())), True
    return default, False


def read_json(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if not raw:
        raise bad_request("Empty Payload. JSON content expected.")
    if request.mimetype != "application/json":
        raise GraphError(415, "UnsupportedMediaType", "Content-Type must be application/json.")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise bad_request(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and "
            "payload is of valid JSON format."
        ) from None


def graph_url(app: EmulatorApp, request: Request, path: str) -> str:
    return f"{app.base_url(request)}/graph/v1.0{path}"


def context(app: EmulatorApp, request: Request, fragment: str) -> str:
    return graph_url(app, request, f"/$metadata#{fragment}")


# --- /me --------------------------------------------------------------------------------------------------


def me(app: EmulatorApp, request: Request) -> Response:
    user, _ = authenticate(app, request, {"User.Read"})
    given, _, surname = user.display_name.partition(" ")
    return json_response(
        {
            "@odata.context": context(app, request, "users/$entity"),
            "businessPhones": [],
            "displayName": user.display_name,
            "givenName": given,
            "surname": surname,
            "jobTitle": None,
            # Personal accounts often have no `mail`: clients fall back to userPrincipalName.
            "mail": user.mail,
            "mobilePhone": None,
            "officeLocation": None,
            "preferredLanguage": "en-US",
            "userPrincipalName": user.user_principal_name,
            "id": user.id,
        }
    )


# --- calendars --------------------------------------------------------------------------------------------


def render_calendar(app: EmulatorApp, cal: Calendar, user: User) -> dict[str, Any]:
    providers = ["teamsForBusiness"] if user.account_type == "work" else []
    return {
        "id": cal.id,
        "name": cal.name,
        "color": cal.color,
        "hexColor": "",
        "isDefaultCalendar": cal.is_default,
        "changeKey": f"fJKVL07sbkmIfHqjbDnRgQAA{len(cal.name):04d}",
        "canShare": cal.can_edit,
        "canViewPrivateItems": True,
        "canEdit": cal.can_edit,
        "allowedOnlineMeetingProviders": providers,
        "defaultOnlineMeetingProvider": providers[0] if providers else "unknown",
        "isTallyingResponses": True,
        "isRemovable": not cal.is_default,
        "owner": {"name": user.display_name, "address": user.address},
    }


def list_calendars(app: EmulatorApp, request: Request) -> Response:
    user, _ = authenticate(app, request, READ_SCOPES)
    with app.emu.lock:
        value = [render_calendar(app, cal, user) for cal in app.emu.state.calendars_of(user.id)]
    return json_response(
        {"@odata.context": context(app, request, f"users('{user.id}')/calendars"), "value": value}
    )


def get_calendar(app: EmulatorApp, request: Request, calendar_id: str | None = None) -> Response:
    user, _ = authenticate(app, request, READ_SCOPES)
    cal = calendar_of(app, user, calendar_id)
    return json_response(render_calendar(app, cal, user))


def calendar_of(app: EmulatorApp, user: User, calendar_id: str | None) -> Calendar:
    state = app.emu.state
    if calendar_id is None:
        return state.default_calendar(user.id)
    cal = state.calendars.get(calendar_id)
    if cal is None or cal.owner_id != user.id:
        raise item_not_found()
    return cal


# --- events -----------------------------------------------------------------------------------------------


def create_event(app: EmulatorApp, request: Request, calendar_id: str | None = None) -> Response:
    user, _ = authenticate(app, request, WRITE_SCOPES)
    body = validate_event_body(read_json(request), creating=True)
    emu = app.emu
    with emu.mutation():
        cal = calendar_of(app, user, calendar_id)
        if not cal.can_edit:
            raise access_denied()
        transaction = body.get("transactionId")
        if transaction:
            # Graph de-duplicates retried creates that carry the same transactionId.
            for existing in emu.state.live_events(user.id):
                if existing.data.get("transactionId") == transaction:
                    return _event_response(app, request, existing, 201)
        event = new_event(emu.state, user, cal.id, body, emu.clock.now())
        emu.notify(event, "created")
    emu.maybe_lose_response()
    return _event_response(app, request, event, 201)


def _event_response(app: EmulatorApp, request: Request, event: Event, status: int = 200) -> Response:
    rendered = render_event(app.emu, event, output_zone(request), _expand(request))
    rendered = {
        "@odata.context": context(app, request, f"users('{event.owner_id}')/events/$entity"),
        **rendered,
    }
    return json_response(rendered, status, {"ETag": rendered["@odata.etag"]})


def _expand(request: Request) -> list[str] | None:
    raw = request.args.get("$expand")
    if raw is None:
        return None
    match = EXPAND.match(raw.strip())
    if match is None:
        raise bad_request(
            f"Parsing OData Select and Expand failed: Could not find a property named "
            f"'{raw.split('(')[0]}' on type 'microsoft.graph.event'."
        )
    return [match.group(1).replace("''", "'")] if match.group(1) else []


def _owned_event(app: EmulatorApp, user: User, event_id: str) -> Event:
    event = app.emu.state.events.get(event_id)
    if event is None or event.owner_id != user.id or event.deleted_seq is not None:
        raise item_not_found()
    return event


def get_event(app: EmulatorApp, request: Request, event_id: str) -> Response:
    user, _ = authenticate(app, request, READ_SCOPES)
    with app.emu.lock:
        event = _owned_event(app, user, event_id)
        return _event_response(app, request, event)


def update_event(app: EmulatorApp, request: Request, event_id: str) -> Response:
    from .events import apply_changes

    user, _ = authenticate(app, request, WRITE_SCOPES)
    body = validate_event_body(read_json(request), creating=False)
    emu = app.emu
    with emu.mutation():
        event = _owned_event(app, user, event_id)
        apply_changes(event, body, user, emu.clock.now())
        event.change_seq = emu.state.next_seq()
        emu.notify(event, "updated")
    emu.maybe_lose_response()
    return _event_response(app, request, event)


def delete_event(app: EmulatorApp, request: Request, event_id: str) -> Response:
    user, _ = authenticate(app, request, WRITE_SCOPES)
    emu = app.emu
    with emu.mutation():
        event = _owned_event(app, user, event_id)
        emu.remove_event(event)
    emu.maybe_lose_response()
    return Response(status=204)


def list_events(app: EmulatorApp, request: Request, calendar_id: str | None = None) -> Response:
    """GET /me/events and /me/calendars/{id}/events: the collection, with the extended-property $filter."""
    user, _ = authenticate(app, request, READ_SCOPES)
    emu = app.emu
    with emu.lock:
        cal_id = calendar_of(app, user, calendar_id).id if calendar_id else None
        events = emu.state.live_events(user.id, cal_id)
        raw_filter = request.args.get("$filter")
        if raw_filter is not None:
            events = _filtered(events, raw_filter)
        return _page(app, request, events, f"users('{user.id}')/events")


def _filtered(events: list[Event], raw_filter: str) -> list[Event]:
    match = ANY_FILTER.match(raw_filter.strip())
    if match is None:
        raise bad_request(
            "Invalid filter clause: the emulator supports singleValueExtendedProperties/Any("
            "ep: ep/id eq '...' and ep/value eq '...').",
            "ErrorInvalidUrlQueryFilter",
        )
    prop_id = match.group(2).replace("''", "'").lower()
    value = match.group(3).replace("''", "'")
    return [
        event
        for event in events
        if any(key.lower() == prop_id and stored == value for key, stored in event.extended.items())
    ]


def _page(app: EmulatorApp, request: Request, events: list[Event], fragment: str) -> Response:
    top_raw = request.args.get("$top")
    default, preferred = max_page_size(request, app.emu.config.default_page_size)
    if top_raw is not None:
        if not top_raw.isdigit() or not 1 <= int(top_raw) <= 1000:
            raise bad_request(f"Invalid value '{top_raw}' for $top.", "ErrorInvalidUrlQuery")
        size = int(top_raw)
    else:
        size = default
    skip_raw = request.args.get("$skip", "0")
    skip = int(skip_raw) if skip_raw.isdigit() else 0
    zone = output_zone(request)
    expand = _expand(request)
    chunk = events[skip : skip + size]
    body: dict[str, Any] = {
        "@odata.context": context(app, request, fragment),
        "value": [render_event(app.emu, event, zone, expand) for event in chunk],
    }
    if skip + size < len(events):
        args = request.args.to_dict()
        args["$skip"] = str(skip + size)
        args.setdefault("$top", str(size))
        from urllib.parse import urlencode

        body["@odata.nextLink"] = f"{app.base_url(request)}{request.path}?{urlencode(args)}"
    headers = {"Preference-Applied": f"odata.maxpagesize={size}"} if preferred else {}
    if zone != "UTC":
        headers["Preference-Applied"] = ", ".join(
            filter(None, [headers.get("Preference-Applied"), f'outlook.timezone="{zone}"'])
        )
    return json_response(body, 200, headers)


def window(request: Request) -> tuple[float, float]:
    start_raw, end_raw = request.args.get("startDateTime"), request.args.get("endDateTime")
    if not start_raw or not end_raw:
        raise bad_request(
            "This request requires a time window specified by the query string parameters "
            "StartDateTime and EndDateTime.",
            "ErrorInvalidParameter",
        )
    try:
        start, end = _window_time(start_raw), _window_time(end_raw)
    except ValueError:
        raise bad_request(
            "The value of StartDateTime or EndDateTime is not a valid date and time.", "ErrorInvalidParameter"
        ) from None
    return start, end


def _window_time(raw: str) -> float:
    text = raw.replace("Z", "+00:00").replace("z", "+00:00").replace(" ", "+")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # Graph reads offset-less window bounds as UTC.
    return parsed.timestamp()


def calendar_view(app: EmulatorApp, request: Request, calendar_id: str | None = None) -> Response:
    user, _ = authenticate(app, request, READ_SCOPES)
    start, end = window(request)
    emu = app.emu
    with emu.lock:
        cal_id = calendar_of(app, user, calendar_id).id if calendar_id else None
        events = [e for e in emu.state.live_events(user.id, cal_id) if overlaps(e, start, end)]
        return _page(app, request, events, f"users('{user.id}')/calendarView")


# --- getSchedule ------------------------------------------------------------------------------------------

STATUS_DIGIT = {"free": "0", "tentative": "1", "busy": "2", "oof": "3", "workingElsewhere": "4"}


def get_schedule(app: EmulatorApp, request: Request) -> Response:
    user, _ = authenticate(app, request, READ_SCOPES)
    body = read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("schedules"), list) or not body["schedules"]:
        raise bad_request("Property 'schedules' is required.", "ErrorInvalidParameter")
    start_ts, _, _ = parse_date_time_zone(body.get("startTime"), "startTime")
    end_ts, _, _ = parse_date_time_zone(body.get("endTime"), "endTime")
    interval = int(body.get("availabilityViewInterval", 30))
    if not 5 <= interval <= 1440:
        raise bad_request("availabilityViewInterval must be between 5 and 1440.", "ErrorInvalidParameter")
    zone = output_zone(request)
    emu = app.emu
    value = []
    with emu.lock:
        for address in body["schedules"]:
            owner = emu.state.user_by_address(str(address))
            if owner is None or owner.tenant_id != user.tenant_id:
                value.append(
                    {
                        "scheduleId": address,
                        "availabilityView": "",
                        "error": {
                            "message": "The specified mailbox could not be found.",
                            "responseCode": "ErrorMailboxNotFound",
                        },
                        "scheduleItems": [],
                        "workingHours": None,
                    }
                )
                continue
            busy = [
                e
                for e in emu.state.live_events(owner.id)
                if overlaps(e, start_ts, end_ts)
                and not e.data.get("isCancelled")
                and e.data.get("responseStatus", {}).get("response") != "declined"
            ]
            value.append(
                {
                    "scheduleId": address,
                    "availabilityView": _availability(busy, start_ts, end_ts, interval),
                    "scheduleItems": [
                        {
                            "isPrivate": e.data.get("sensitivity") == "private",
                            "status": e.data.get("showAs", "busy"),
                            "subject": e.data.get("subject", ""),
                            "location": (e.data.get("location") or {}).get("displayName", ""),
                            "isMeeting": bool(e.data.get("attendees")),
                            "isRecurring": False,
                            "isException": False,
                            "isReminderSet": True,
                            "start": _render(e.start_ts, zone),
                            "end": _render(e.end_ts, zone),
                        }
                        for e in busy
                        if e.data.get("showAs", "busy") != "free"
                    ],
                    "workingHours": {
                        "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                        "startTime": "08:00:00.0000000",
                        "endTime": "17:00:00.0000000",
                        "timeZone": {"name": owner.time_zone},
                    },
                }
            )
    return json_response(
        {
            "@odata.context": context(app, request, "Collection(microsoft.graph.scheduleInformation)"),
            "value": value,
        }
    )


def _render(timestamp: float, zone: str) -> dict[str, str]:
    from .events import render_date_time

    return render_date_time(timestamp, zone)


def _availability(events: list[Event], start: float, end: float, interval: int) -> str:
    slots = []
    cursor = start
    while cursor < end:
        slot_end = cursor + interval * 60
        digits = [
            STATUS_DIGIT.get(e.data.get("showAs", "busy"), "2")
            for e in events
            if overlaps(e, cursor, slot_end)
        ]
        slots.append(max(digits) if digits else "0")
        cursor = slot_end
    return "".join(slots)


def now_iso(app: EmulatorApp) -> str:
    return iso_z(app.emu.clock.now())
