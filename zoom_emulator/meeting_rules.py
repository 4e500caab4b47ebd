"""Validation of meeting create/update bodies the way Zoom answers them: code 300 with `errors[]`."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .errors import ZoomError, validation_failed
from .passcodes import passcode_violations, violation_message
from .timezones import zoom_timezone_ids

# Zoom documents exactly two forms: UTC with a trailing Z, and local wall-clock time without an offset.
START_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z?)$")
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


def check_body(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise NOT_A_JSON_OBJECT
    return body


def clean_fields(body: dict[str, Any], requirement: dict[str, Any]) -> dict[str, Any]:
    """Validate the top-level fields present in `body`; returns them with `start_time` left as text."""
    cleaned: dict[str, Any] = {}
    if "topic" in body:
        cleaned["topic"] = _text(body["topic"], "topic", 200)
    if "agenda" in body:
        cleaned["agenda"] = _text(body["agenda"], "agenda", 2000)
    if "type" in body:
        if body["type"] not in MEETING_TYPES or isinstance(body["type"], bool):
            raise validation_failed("type")
        cleaned["type"] = body["type"]
    if "duration" in body:
        duration = body["duration"]
        if isinstance(duration, bool) or not isinstance(duration, int) or duration < 0:
            raise validation_failed("duration")
        cleaned["duration"] = duration
    if body.get("timezone") not in (None, ""):
        if body["timezone"] not in zoom_timezone_ids():
            raise validation_failed("timezone")
        cleaned["timezone"] = body["timezone"]
    if body.get("start_time") not in (None, ""):
        if not isinstance(body["start_time"], str) or not START_TIME.match(body["start_time"]):
            raise validation_failed("start_time")
        cleaned["start_time"] = body["start_time"]
    if body.get("password") not in (None, ""):
        cleaned["password"] = check_password(body["password"], requirement)
    if "settings" in body:
        cleaned["settings"] = check_settings(body["settings"])
    return cleaned


def check_password(password: object, requirement: dict[str, Any]) -> str:
    if not isinstance(password, str):
        raise validation_failed("password")
    rules = passcode_violations(password, requirement)
    if rules:
        raise validation_failed("password", violation_message(rules))
    return password


def check_settings(settings: object) -> dict[str, Any]:
    if not isinstance(settings, dict):
        raise validation_failed("settings")
    for key, allowed in SETTING_ENUMS.items():
        if key in settings and (settings[key] not in allowed or isinstance(settings[key], bool)):
            raise validation_failed(f"settings.{key}")
    for key in BOOLEAN_SETTINGS:
        if key in settings and not isinstance(settings[key], bool):
            raise validation_failed(f"settings.{key}")
    invitees = settings.get("meeting_invitees", [])
    if not isinstance(invitees, list) or not all(isinstance(i, dict) and "email" in i for i in invitees):
        raise validation_failed("settings.meeting_invitees")
    return settings


def start_timestamp(value: str, timezone: str) -> float:
    """UTC epoch seconds of a Zoom `start_time`: as UTC with `Z`, else as wall-clock time in `timezone`."""
    match = START_TIME.match(value)
    if match is None:
        raise validation_failed("start_time")
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    zone = ZoneInfo("UTC" if match.group(7) == "Z" else timezone)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone).timestamp()
    except ValueError:
        raise validation_failed("start_time") from None


def _text(value: object, field: str, max_length: int) -> str:
    if not isinstance(value, str) or len(value) > max_length:
        raise validation_failed(field)
    return value
