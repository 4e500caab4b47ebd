"""Graph `event` resources: validation of what clients send, storage, rendering in a time zone."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .clock import iso_z
from .errors import GraphError, bad_request
from .state import Event, State, User, outlook_id

if TYPE_CHECKING:
    from .emulator import Emulator

SHOW_AS = ("free", "tentative", "busy", "oof", "workingElsewhere", "unknown")
RESPONSES = ("none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded")
PROVIDERS = ("unknown", "teamsForBusiness", "skypeForBusiness", "skypeForConsumer")
# Properties a client may write. Anything else is refused the way OData refuses unknown properties.
WRITABLE = {
    "subject", "body", "start", "end", "isAllDay", "showAs", "location", "locations", "attendees",
    "isOnlineMeeting", "onlineMeetingProvider", "isReminderOn", "reminderMinutesBeforeStart", "sensitivity",
    "importance", "categories", "singleValueExtendedProperties", "responseRequested", "allowNewTimeProposals",
    "hideAttendees", "transactionId", "isCancelled", "responseStatus",
}  # fmt: skip
READ_ONLY = {
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "@odata.etag",
    "iCalUId",
    "webLink",
}
# Windows zone names Graph uses (and returns by default for mailbox settings) mapped to IANA; IANA names are
# accepted as they are.
WINDOWS_ZONES = {
    "UTC": "UTC",
    "W. Europe Standard Time": "Europe/Berlin",
    "Central Europe Standard Time": "Europe/Prague",
    "Romance Standard Time": "Europe/Paris",
    "GMT Standard Time": "Europe/London",
    "Eastern Standard Time": "America/New_York",
    "Pacific Standard Time": "America/Los_Angeles",
}
EXTENDED_ID = re.compile(r"^String \{[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\} Name \S+$", re.I)


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(WINDOWS_ZONES.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        raise GraphError(
            400,
            "TimeZoneNotSupportedException",
            "A valid TimeZone value must be specified. "
            f"The following TimeZone value is not supported: '{name}'.",
        ) from None


def parse_date_time_zone(value: Any, field_name: str) -> tuple[float, datetime, str]:
    """A `dateTimeTimeZone` ({dateTime, timeZone}) as a UTC timestamp, its wall time and zone name."""
    if not isinstance(value, dict) or not isinstance(value.get("dateTime"), str):
        raise bad_request(
            f"Property '{field_name}' must be a dateTimeTimeZone object.", "ErrorInvalidRequest"
        )
    zone_name = value.get("timeZone") or "UTC"
    if not isinstance(zone_name, str):
        raise bad_request(f"Property '{field_name}/timeZone' must be a string.", "ErrorInvalidRequest")
    zone = zone_of(zone_name)
    text = value["dateTime"].rstrip("Z")
    try:
        local = _parse_wall_time(text)
    except ValueError:
        raise bad_request(
            f"Cannot convert the literal '{value['dateTime']}' to the expected type 'Edm.String'.",
            "UnableToDeserializePostBody",
        ) from None
    return local.replace(tzinfo=zone).timestamp(), local, zone_name


def _parse_wall_time(text: str) -> datetime:
    if "." in text:
        head, _, fraction = text.partition(".")
        text = f"{head}.{fraction[:6].ljust(6, '0')}"
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=None)


def render_date_time(timestamp: float, zone_name: str) -> dict[str, str]:
    local = datetime.fromtimestamp(timestamp, UTC).astimezone(zone_of(zone_name))
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0", "timeZone": zone_name}


def validate_event_body(body: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("Empty Payload. JSON content expected.", "BadRequest")
    for key in body:
        if key in READ_ONLY or key.startswith("@odata"):
            continue
        if key not in WRITABLE:
            raise bad_request(
                f"The property '{key}' does not exist on type 'microsoft.graph.event'. Make sure to only use "
                "property names that are defined by the type or mark the type as open type.",
                "RequestBodyRead",
            )
    if creating:
        for required in ("start", "end"):
            if required not in body:
                raise bad_request(f"Property '{required}' is required.", "ErrorInvalidRequest")
    if "showAs" in body and body["showAs"] not in SHOW_AS:
        raise bad_request(f"Requested value '{body['showAs']}' was not found.", "RequestBodyRead")
    provider = body.get("onlineMeetingProvider")
    if provider is not None and provider not in PROVIDERS:
        raise bad_request(f"Requested value '{provider}' was not found.", "RequestBodyRead")
    for key in ("isAllDay", "isOnlineMeeting", "isCancelled", "isReminderOn"):
        if key in body and not isinstance(body[key], bool):
            raise bad_request(f"Property '{key}' must be a boolean.", "RequestBodyRead")
    return body


def normalised_extended(raw: Any) -> dict[str, str]:
    if not isinstance(raw, list):
        raise bad_request("singleValueExtendedProperties must be a collection.", "RequestBodyRead")
    found: dict[str, str] = {}
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or "value" not in item:
            raise bad_request("Each extended property needs an id and a value.", "ErrorInvalidProperty")
        if not EXTENDED_ID.match(item["id"]):
            raise bad_request(
                f"The extended property id '{item['id']}' is invalid; the emulator supports "
                "'String {guid} Name <name>'.",
                "ErrorInvalidProperty",
            )
        found[item["id"]] = str(item["value"])
    return found


def apply_changes(event: Event, body: dict[str, Any], user: User, now: float) -> None:
    """Write validated properties into `event`, keeping its invariants (end after start, midnights)."""
    data = event.data
    # "When set, the meeting remains available online, and you can't change the isOnlineMeeting,
    # onlineMeetingProvider, and onlineMeeting properties again" (event resource).
    online_before = (data.get("onlineMeeting"), data.get("onlineMeetingProvider"))
    for key, value in body.items():
        if key in READ_ONLY or key.startswith("@odata") or key in ("start", "end"):
            continue
        if key == "singleValueExtendedProperties":
            for prop_id, prop_value in normalised_extended(value).items():
                # Property ids match case-insensitively (MAPI names); keep the casing last written.
                for existing in [known for known in event.extended if known.lower() == prop_id.lower()]:
                    del event.extended[existing]
                event.extended[prop_id] = prop_value
            continue
        data[key] = value
    start_ts, end_ts = event.start_ts, event.end_ts
    start_local = end_local = None
    if "start" in body:
        start_ts, start_local, data["startZone"] = parse_date_time_zone(body["start"], "start")
    if "end" in body:
        end_ts, end_local, data["endZone"] = parse_date_time_zone(body["end"], "end")
    if end_ts < start_ts:
        raise bad_request(
            "The end time of the event must be after its start time.", "ErrorPropertyValidationFailure"
        )
    if data.get("isAllDay"):
        for local in (start_local, end_local):
            if local is not None and (local.hour, local.minute, local.second) != (0, 0, 0):
                raise bad_request(
                    "An all-day event's start and end must be at midnight (00:00:00) in its time zone.",
                    "ErrorPropertyValidationFailure",
                )
    event.start_ts, event.end_ts = start_ts, end_ts
    if online_before[0]:
        data["isOnlineMeeting"], data["onlineMeeting"], data["onlineMeetingProvider"] = (
            True,
            online_before[0],
            online_before[1],
        )
    _apply_online_meeting(event, user)
    event.modified = now


def _apply_online_meeting(event: Event, user: User) -> None:
    data = event.data
    provider = data.get("onlineMeetingProvider") or (
        "teamsForBusiness" if data.get("isOnlineMeeting") else None
    )
    if not data.get("isOnlineMeeting"):
        data["onlineMeeting"] = None
        return
    if user.account_type != "work" or provider != "teamsForBusiness":
        # A provider the calendar does not allow (personal accounts have no Teams for business): nothing.
        data["isOnlineMeeting"], data["onlineMeetingProvider"], data["onlineMeeting"] = False, "unknown", None
        return
    data["onlineMeetingProvider"] = "teamsForBusiness"
    if not data.get("onlineMeeting"):
        thread = secrets.token_hex(16)
        data["onlineMeeting"] = {
            "joinUrl": f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{thread}%40thread.v2/0",
            "conferenceId": str(secrets.randbelow(10**9)),
            "tollNumber": "+49 69 365 123 45",
        }


def new_event(state: State, user: User, calendar_id: str, body: dict[str, Any], now: float) -> Event:
    event_id = outlook_id("AAMkAGevt", user.id, secrets.token_hex(8))
    event = Event(
        id=event_id,
        owner_id=user.id,
        calendar_id=calendar_id,
        data={
            "subject": "",
            "body": {"contentType": "text", "content": ""},
            "showAs": "busy",
            "isAllDay": False,
            "isCancelled": False,
            "isOnlineMeeting": False,
            "onlineMeetingProvider": "unknown",
            "onlineMeeting": None,
            "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
            "location": {"displayName": ""},
            "attendees": [],
            "categories": [],
            "sensitivity": "normal",
            "importance": "normal",
            "isReminderOn": True,
            "reminderMinutesBeforeStart": 15,
            "iCalUId": "040000008200E00074C5B7101A82E008" + secrets.token_hex(28).upper(),
        },
        start_ts=0.0,
        end_ts=0.0,
        created=now,
        modified=now,
        change_seq=0,
    )
    apply_changes(event, body, user, now)
    event.change_seq = state.next_seq()
    state.events[event.id] = event
    return event


def create_event_from_seed(state: State, user: User, body: dict[str, Any], now: float) -> Event:
    calendar = state.default_calendar(user.id)
    return new_event(state, user, calendar.id, validate_event_body(body, creating=True), now)


def render_event(
    emu: Emulator, event: Event, zone_name: str, expand_ids: list[str] | None = None
) -> dict[str, Any]:
    """The event as Graph returns it; times in `zone_name` (UTC unless Prefer: outlook.timezone)."""
    user = emu.state.users[event.owner_id]
    data = event.data
    organizer = {"emailAddress": {"name": user.display_name, "address": user.address}}
    body_content = (data.get("body") or {}).get("content", "")
    rendered: dict[str, Any] = {
        "@odata.etag": f'W/"{_change_key(event)}"',
        "id": event.id,
        "createdDateTime": iso_z(event.created),
        "lastModifiedDateTime": iso_z(event.modified),
        "changeKey": _change_key(event),
        "categories": data.get("categories", []),
        "transactionId": data.get("transactionId"),
        "originalStartTimeZone": data.get("startZone", "UTC"),
        "originalEndTimeZone": data.get("endZone", "UTC"),
        "iCalUId": data["iCalUId"],
        "reminderMinutesBeforeStart": data.get("reminderMinutesBeforeStart", 15),
        "isReminderOn": data.get("isReminderOn", True),
        "subject": data.get("subject", ""),
        "bodyPreview": str(body_content)[:255],
        "importance": data.get("importance", "normal"),
        "sensitivity": data.get("sensitivity", "normal"),
        "isAllDay": bool(data.get("isAllDay")),
        "isCancelled": bool(data.get("isCancelled")),
        "isOrganizer": data.get("responseStatus", {}).get("response") == "organizer",
        "responseRequested": data.get("responseRequested", True),
        "seriesMasterId": None,
        "showAs": data.get("showAs", "busy"),
        "type": "singleInstance",
        "webLink": f"https://outlook.office365.com/owa/?itemid={event.id}&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None,
        "isOnlineMeeting": bool(data.get("isOnlineMeeting")),
        "onlineMeetingProvider": data.get("onlineMeetingProvider", "unknown"),
        "allowNewTimeProposals": data.get("allowNewTimeProposals", True),
        "responseStatus": data.get("responseStatus"),
        "body": data.get("body"),
        "start": render_date_time(event.start_ts, zone_name),
        "end": render_date_time(event.end_ts, zone_name),
        "location": data.get("location") or {"displayName": ""},
        "locations": data.get("locations", []),
        "recurrence": None,
        "attendees": data.get("attendees", []),
        "organizer": data.get("organizer") or organizer,
        "onlineMeeting": data.get("onlineMeeting"),
    }
    if expand_ids is not None:
        wanted = {item.lower() for item in expand_ids}
        rendered["singleValueExtendedProperties"] = [
            {"id": prop_id, "value": value}
            for prop_id, value in event.extended.items()
            if not wanted or prop_id.lower() in wanted
        ]
    return rendered


def _change_key(event: Event) -> str:
    return f"DwAAABYAAAA{event.change_seq:08d}"


def overlaps(event: Event, start_ts: float, end_ts: float) -> bool:
    return event.start_ts < end_ts and event.end_ts > start_ts
