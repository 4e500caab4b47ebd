"""Validation of meeting create/update bodies the way Zoom answers them: code 300 with `errors[]`."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .errors import ZoomError, validation_failed
from .passcodes import passcode_violations, violation_message
from .timezones import zoom_timezone_ids

# Zoom documents exactly two forms: UTC with a trailing Z, and local wall-clock time without an offset.
START_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z?)\Z", re.ASCII)
# Zoom documents no maximum duration; an int32 keeps arithmetic on it (end times, listings) finite.
MAX_DURATION = 2**31 - 1
MEETING_TYPES = (1, 2, 3, 8)
SETTING_ENUMS: dict[str, tuple[Any, ...]] = {
    "approval_type": (0, 1, 2),
    "audio": ("both", "telephony", "voip", "thirdParty"),
    "auto_recording": ("local", "cloud", "none"),
    "jbh_time": (0, 5, 10),
    "registration_type": (1, 2, 3),
    "encryption_type": ("enhanced_encryption", "e2ee"),
    "calendar_type": (1, 2),
}
BOOLEAN_SETTINGS = (
    "host_video",
    "participant_video",
    "join_before_host",
    "mute_upon_entry",
    "watermark",
    "use_pmi",
    "waiting_room",
    "meeting_authentication",
    "email_notification",
    "alternative_hosts_email_notification",
    "allow_multiple_devices",
    "focus_mode",
    "private_meeting",
    "registrants_email_notification",
    "registrants_confirmation_email",
    "close_registration",
    "show_share_button",
    "host_save_video_order",
    "internal_meeting",
    "participant_focused_meeting",
    "push_change_to_calendar",
)

NOT_A_JSON_OBJECT = ZoomError(400, 300, "Request Body should be a valid JSON object.")
INVALID = "Invalid field."


# Deeper bodies are refused before anything recurses over them (settings are deep-merged and copied).
MAX_JSON_DEPTH = 32


def json_depth(value: object) -> int:
    """How deeply `value` nests lists and objects (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        else:
            continue
        deepest = max(deepest, depth + 1)
    return deepest


def check_body(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise NOT_A_JSON_OBJECT
    return body


def clean_fields(
    body: dict[str, Any], requirement: dict[str, Any], default_timezone: str = "UTC"
) -> dict[str, Any]:
    """Validate the top-level fields present in `body`; returns them with `start_time` left as text.

    Every failing field is reported, each once, in one `Validation Failed.` error (zoom-api.md 3.6).
    `default_timezone` is the zone an offset-less `start_time` is read in when the body names none.
    """
    errors: list[dict[str, str]] = []

    def fail(field: str, message: str = INVALID) -> None:
        errors.append({"field": field, "message": message})

    cleaned: dict[str, Any] = {}
    for field, max_length in (("topic", 200), ("agenda", 2000)):
        if field in body:
            if isinstance(body[field], str) and len(body[field]) <= max_length:
                cleaned[field] = body[field]
            else:
                fail(field)
    if "type" in body:
        if _is_int(body["type"]) and body["type"] in MEETING_TYPES:
            cleaned["type"] = body["type"]
        else:
            fail("type")
    if "duration" in body:
        if _is_int(body["duration"]) and 0 <= body["duration"] <= MAX_DURATION:
            cleaned["duration"] = body["duration"]
        else:
            fail("duration")
    timezone = default_timezone
    if body.get("timezone") not in (None, ""):
        if isinstance(body["timezone"], str) and body["timezone"] in zoom_timezone_ids():
            cleaned["timezone"] = timezone = body["timezone"]
        else:
            fail("timezone")
    if body.get("start_time") not in (None, ""):
        value = body["start_time"]
        if isinstance(value, str) and _parse_start(value, timezone) is not None:
            cleaned["start_time"] = value
        else:
            fail("start_time")
    if body.get("password") not in (None, ""):
        password = body["password"]
        rules = passcode_violations(password, requirement) if isinstance(password, str) else []
        if not isinstance(password, str):
            fail("password")
        elif rules:
            fail("password", violation_message(rules))
        else:
            cleaned["password"] = password
    if "settings" in body:
        settings_errors = settings_failures(body["settings"])
        if settings_errors:
            errors.extend({"field": field, "message": INVALID} for field in settings_errors)
        else:
            cleaned["settings"] = body["settings"]
    if "tracking_fields" in body:
        fields = body["tracking_fields"]
        if isinstance(fields, list) and all(isinstance(item, dict) for item in fields):
            cleaned["tracking_fields"] = fields
        elif fields is not None:
            fail("tracking_fields")
    if errors:
        raise ZoomError(400, 300, "Validation Failed.", errors)
    return cleaned


def settings_failures(settings: object) -> list[str]:
    """The `settings.*` fields that are wrong (`settings` itself when it is not an object)."""
    if not isinstance(settings, dict):
        return ["settings"]
    failures: list[str] = []
    for key, allowed in SETTING_ENUMS.items():
        if key in settings and (isinstance(settings[key], bool) or not _in(settings[key], allowed)):
            failures.append(f"settings.{key}")
    for key in BOOLEAN_SETTINGS:
        if key in settings and not isinstance(settings[key], bool):
            failures.append(f"settings.{key}")
    invitees = settings.get("meeting_invitees", [])
    if not isinstance(invitees, list) or not all(
        isinstance(i, dict) and isinstance(i.get("email"), str) for i in invitees
    ):
        failures.append("settings.meeting_invitees")
    return failures


def start_timestamp(value: str, timezone: str) -> float:
    """UTC epoch seconds of a Zoom `start_time`: as UTC with `Z`, else as wall-clock time in `timezone`."""
    stamp = _parse_start(value, timezone)
    if stamp is None:
        raise validation_failed("start_time")
    return stamp


def _parse_start(value: str, timezone: str) -> float | None:
    match = START_TIME.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    try:
        zone = ZoneInfo("UTC" if match.group(7) == "Z" else timezone)
        stamp = datetime(year, month, day, hour, minute, second, tzinfo=zone).timestamp()
        datetime.fromtimestamp(stamp, UTC)  # still a representable UTC time (not past year 9999)
    except (ValueError, KeyError, OverflowError, OSError):  # Feb 30, hour 25, an unknown zone, year 0
        return None
    return stamp


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _in(value: object, allowed: tuple[Any, ...]) -> bool:
    # Only scalars can match; 1.0 is not the integer 1 for Zoom's enums.
    return isinstance(value, str | int) and any(type(value) is type(a) and value == a for a in allowed)
