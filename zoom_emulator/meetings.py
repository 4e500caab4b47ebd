"""Meeting lifecycle: create, read, update, delete, list, the start/join links, and their webhooks."""

from __future__ import annotations

import base64
import copy
import secrets
from typing import TYPE_CHECKING, Any

from .clock import iso_z, utc_day
from .errors import meeting_not_found
from .meeting_rules import clean_fields, start_timestamp
from .models import Meeting, StartToken, User
from .passcodes import generate_passcode
from .ratelimit import host_cap_error
from .user_settings import deep_merge, password_requirement, settings_for

if TYPE_CHECKING:
    from .emulator import Emulator

DEFAULT_MEETING_SETTINGS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "cn_meeting": False,
    "in_meeting": False,
    "join_before_host": False,
    "jbh_time": 0,
    "mute_upon_entry": False,
    "watermark": False,
    "use_pmi": False,
    "approval_type": 2,
    "audio": "both",
    "auto_recording": "none",
    "enforce_login": False,
    "enforce_login_domains": "",
    "alternative_hosts": "",
    "alternative_host_update_polls": False,
    "close_registration": False,
    "show_share_button": False,
    "allow_multiple_devices": False,
    "registrants_confirmation_email": True,
    "waiting_room": False,
    "request_permission_to_unmute_participants": False,
    "registrants_email_notification": True,
    "meeting_authentication": False,
    "encryption_type": "enhanced_encryption",
    "approved_or_denied_countries_or_regions": {"enable": False},
    "breakout_room": {"enable": False},
    "internal_meeting": False,
    "continuous_meeting_chat": {"enable": False, "auto_add_invited_external_users": False},
    "participant_focused_meeting": False,
    "push_change_to_calendar": False,
    "alternative_hosts_email_notification": True,
    "show_join_info": False,
    "device_testing": False,
    "focus_mode": False,
    "private_meeting": False,
    "email_notification": True,
    "host_save_video_order": False,
    "sign_language_interpretation": {"enable": False},
    "email_in_attendee_report": False,
}


def count_host_write(emu: Emulator, host: User, account_headers: dict[str, str]) -> int:
    """Count one create/update against the host's 100-per-UTC-day cap; returns how many remain.

    `account_headers` are the rate-limit headers of the account-level check, which the 429 carries.
    """
    now = emu.clock.now()
    cap = emu.config.daily_meeting_writes_per_host
    key = f"{host.id}|{utc_day(now)}"
    with emu.mutation() as state:
        used = state.daily_meeting_writes.get(key, 0)
        if used >= cap:
            raise host_cap_error(cap, account_headers)
        state.daily_meeting_writes[key] = used + 1
        return cap - used - 1


def create_meeting(emu: Emulator, host: User, body: dict[str, Any]) -> Meeting:
    account = emu.state.accounts[host.account_id]
    cleaned = clean_fields(body, password_requirement(host, account), host.timezone)
    timezone = cleaned.get("timezone") or host.timezone
    now = emu.clock.now()
    start = start_timestamp(cleaned["start_time"], timezone) if "start_time" in cleaned else now
    meeting_type = cleaned.get("type", 2)
    settings = deep_merge(_initial_settings(host), cleaned.get("settings", {}))
    _limit_registration(settings, host)
    password = _initial_password(emu, host, cleaned, bool(body.get("default_password")))
    _enforce_security(settings, password)
    meeting = Meeting(
        id=_new_meeting_id(emu),
        uuid=base64.b64encode(secrets.token_bytes(16)).decode(),
        host_id=host.id,
        account_id=host.account_id,
        topic=cleaned.get("topic", "Zoom meeting"),
        type=meeting_type,
        start_time=None if meeting_type == 3 else start,
        duration=cleaned.get("duration", 60),
        timezone=timezone,
        agenda=cleaned.get("agenda", ""),
        password=password,
        h323_password=_h323(password),
        encrypted_password=(secrets.token_urlsafe(24) + ".1") if password else "",
        created_at=now,
        settings=settings,
        pre_schedule=bool(body.get("pre_schedule", False)),
        tracking_fields=list(cleaned.get("tracking_fields", [])),
    )
    with emu.mutation() as state:
        state.meetings[meeting.id] = meeting
    return meeting


def update_meeting(emu: Emulator, meeting_id: int, body: dict[str, Any], operator: User | None) -> None:
    """Apply a PATCH: only fields present change, `settings` is deep-merged, past start times are ignored."""
    with emu.lock:
        meeting = _get(emu, meeting_id)
        host = emu.state.users[meeting.host_id]
        account = emu.state.accounts[meeting.account_id]
        cleaned = clean_fields(body, password_requirement(host, account), meeting.timezone)
        before = webhook_view(meeting) | {"agenda": meeting.agenda, "password": meeting.password}
        before["settings"] = copy.deepcopy(meeting.settings)
        with emu.mutation():
            _apply_update(emu, meeting, cleaned)
        after = webhook_view(meeting) | {"agenda": meeting.agenda, "password": meeting.password}
        after["settings"] = meeting.settings
    changed, old = _diff(before, after)
    if changed:
        _emit(
            emu,
            "meeting.updated",
            meeting,
            operator,
            {
                "object": {"id": meeting.id, **changed},
                "old_object": {"id": meeting.id, **old},
                "time_stamp": int(emu.clock.now() * 1000),
            },
        )


def delete_meeting(emu: Emulator, meeting_id: int, operator: User | None) -> None:
    with emu.mutation() as state:
        meeting = _get(emu, meeting_id)
        del state.meetings[meeting_id]
        for registrant_id in [r.id for r in state.registrants.values() if r.meeting_id == meeting_id]:
            del state.registrants[registrant_id]
        for value in [v for v, t in state.start_tokens.items() if t.meeting_id == meeting_id]:
            del state.start_tokens[value]
    _emit(emu, "meeting.deleted", meeting, operator, {"object": webhook_view(meeting)})


def announce_created(emu: Emulator, meeting: Meeting, operator: User | None, base_url: str) -> None:
    view = webhook_view(meeting) | {
        "join_url": join_url(emu, meeting, base_url),
        "password": meeting.password,
    }
    view["settings"] = {
        "use_pmi": meeting.settings["use_pmi"],
        "alternative_hosts": meeting.settings["alternative_hosts"],
    }
    _emit(emu, "meeting.created", meeting, operator, {"object": view})


def meeting_resource(emu: Emulator, meeting: Meeting, base_url: str) -> dict[str, Any]:
    """The full meeting object of `GET /meetings/{id}` (also the 201 body of create)."""
    host = emu.state.users[meeting.host_id]
    resource: dict[str, Any] = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "host_email": host.email,
        "assistant_id": "",
        "topic": meeting.topic,
        "type": meeting.type,
        "status": meeting.status,
        "timezone": meeting.timezone,
        "agenda": meeting.agenda,
        "created_at": iso_z(meeting.created_at),
        "start_url": start_url(emu, meeting, base_url),
        "join_url": join_url(emu, meeting, base_url),
        "password": meeting.password,
        "h323_password": meeting.h323_password,
        "pstn_password": meeting.h323_password,
        "encrypted_password": meeting.encrypted_password,
        "settings": copy.deepcopy(meeting.settings),
        "pre_schedule": meeting.pre_schedule,
    }
    if meeting.start_time is not None:
        resource["start_time"] = iso_z(meeting.start_time)
        resource["duration"] = meeting.duration
    if meeting.tracking_fields:
        resource["tracking_fields"] = meeting.tracking_fields
    if requires_registration(meeting):
        resource["registration_url"] = f"{base_url}/meeting/register/{meeting.id}"
    return resource


def list_entry(emu: Emulator, meeting: Meeting, base_url: str) -> dict[str, Any]:
    """One element of `GET /users/{userId}/meetings` `meetings[]`."""
    entry: dict[str, Any] = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": meeting.type,
        "duration": meeting.duration,
        "timezone": meeting.timezone,
        "agenda": meeting.agenda,
        "created_at": iso_z(meeting.created_at),
        "join_url": join_url(emu, meeting, base_url),
        "pmi": "",
    }
    if meeting.start_time is not None:
        entry["start_time"] = iso_z(meeting.start_time)
    return entry


def listed_meetings(emu: Emulator, host: User, list_type: str) -> list[Meeting]:
    now = emu.clock.now()
    meetings = emu.meetings_of(host.id)
    if list_type in ("upcoming", "upcoming_meetings"):
        return [m for m in meetings if m.start_time is None or m.start_time + m.duration * 60 >= now]
    if list_type == "previous_meetings":
        return [m for m in meetings if m.start_time is not None and m.start_time + m.duration * 60 < now]
    if list_type == "live":
        return [m for m in meetings if m.status == "started"]
    return meetings


def join_url(emu: Emulator, meeting: Meeting, base_url: str) -> str:
    """`/j/{id}`, with `?pwd=` unless the host turned off `schedule_meeting.embed_password_in_join_link`."""
    url = f"{base_url}/j/{meeting.id}"
    if not meeting.encrypted_password or not _embeds_password(emu, meeting):
        return url
    return f"{url}?pwd={meeting.encrypted_password}"


def _embeds_password(emu: Emulator, meeting: Meeting) -> bool:
    # Read when the link is shown, like the rest of the host's settings.
    with emu.lock:
        host = emu.state.users.get(meeting.host_id)
        account = emu.state.accounts.get(meeting.account_id)
        if host is None or account is None:
            return True
        schedule = settings_for(host, account).get("schedule_meeting", {})
    return bool(schedule.get("embed_password_in_join_link", True))


def start_url(emu: Emulator, meeting: Meeting, base_url: str) -> str:
    """A fresh host link; its `zak` lets anyone holding it start the meeting as host for two hours."""
    now = emu.clock.now()
    token = StartToken(
        value=secrets.token_urlsafe(32),
        meeting_id=meeting.id,
        user_id=meeting.host_id,
        expires_at=now + emu.config.start_url_ttl,
    )
    with emu.mutation() as state:
        # Every GET issues a link: forget the expired ones, or polling would grow the state without bound.
        for value in [value for value, old in state.start_tokens.items() if old.expires_at <= now]:
            del state.start_tokens[value]
        state.start_tokens[token.value] = token
    return f"{base_url}/s/{meeting.id}?zak={token.value}"


def webhook_view(meeting: Meeting) -> dict[str, Any]:
    view: dict[str, Any] = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": meeting.type,
        "duration": meeting.duration,
        "timezone": meeting.timezone,
    }
    if meeting.start_time is not None:
        view["start_time"] = iso_z(meeting.start_time)
    return view


def _get(emu: Emulator, meeting_id: int) -> Meeting:
    meeting = emu.state.meetings.get(meeting_id)
    if meeting is None:
        raise meeting_not_found(meeting_id)
    return meeting


def _apply_update(emu: Emulator, meeting: Meeting, cleaned: dict[str, Any]) -> None:
    # Parsed before any field changes: an impossible date (Feb 30) refuses the whole PATCH and leaves the
    # meeting as it was.
    start = None
    if "start_time" in cleaned:
        start = start_timestamp(cleaned["start_time"], cleaned.get("timezone", meeting.timezone))
    for field in ("topic", "agenda", "type", "duration", "timezone"):
        if field in cleaned:
            setattr(meeting, field, cleaned[field])
    # Zoom ignores a start_time in the past on update rather than rejecting it.
    if start is not None and start > emu.clock.now():
        meeting.start_time = start
    if "password" in cleaned:
        meeting.password = cleaned["password"]
        meeting.h323_password = _h323(meeting.password)
        meeting.encrypted_password = secrets.token_urlsafe(24) + ".1"
    if "settings" in cleaned:
        meeting.settings = deep_merge(meeting.settings, cleaned["settings"])
        _limit_registration(meeting.settings, emu.state.users[meeting.host_id])
    _enforce_security(meeting.settings, meeting.password)


def _initial_settings(host: User) -> dict[str, Any]:
    settings = copy.deepcopy(DEFAULT_MEETING_SETTINGS)
    settings["waiting_room"] = bool(host.settings.get("in_meeting", {}).get("waiting_room", False))
    return settings


def _initial_password(emu: Emulator, host: User, cleaned: dict[str, Any], use_default: bool) -> str:
    if "password" in cleaned:
        return str(cleaned["password"])
    account = emu.state.accounts[host.account_id]
    schedule = settings_for(host, account)["schedule_meeting"]
    if use_default and schedule["default_password_for_scheduled_meetings"]:
        return str(schedule["default_password_for_scheduled_meetings"])
    if schedule["require_password_for_scheduling_new_meetings"]:
        # Required and not given: Zoom generates one and returns it in the response.
        return generate_passcode(schedule["meeting_password_requirement"])
    return ""


def registration_possible(host: User, settings: dict[str, Any]) -> bool:
    """Registration needs a Licensed host (type 2) and a generated meeting id: never on the host's PMI."""
    return host.type == 2 and not settings.get("use_pmi")


def requires_registration(meeting: Meeting) -> bool:
    return meeting.settings.get("approval_type") in (0, 1)


def _limit_registration(settings: dict[str, Any], host: User) -> None:
    # A Basic host or a PMI meeting cannot require registration: Zoom keeps `approval_type` 2 (no
    # registration) instead of refusing the meeting; adding a registrant is what fails (registrants.py).
    if not registration_possible(host, settings):
        settings["approval_type"] = 2


def _enforce_security(settings: dict[str, Any], password: str) -> None:
    # Zoom never lets all three of passcode, waiting room and authentication be off (zoom-api.md 3.1).
    if not password and not settings.get("waiting_room") and not settings.get("meeting_authentication"):
        settings["waiting_room"] = True


def _h323(password: str) -> str:
    if password.isdigit():
        return password
    return "".join(secrets.choice("0123456789") for _ in range(6)) if password else ""


def _new_meeting_id(emu: Emulator) -> int:
    while True:
        candidate = 10_000_000_000 + secrets.randbelow(89_999_999_999)
        if candidate not in emu.state.meetings:
            return candidate


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed: dict[str, Any] = {}
    old: dict[str, Any] = {}
    for key, value in after.items():
        if key == "settings":
            new_settings = {k: v for k, v in value.items() if before["settings"].get(k) != v}
            if new_settings:
                changed["settings"] = new_settings
                old["settings"] = {k: before["settings"].get(k) for k in new_settings}
        elif before.get(key) != value:
            changed[key], old[key] = value, before.get(key)
    return changed, old


def _emit(
    emu: Emulator, event: str, meeting: Meeting, operator: User | None, payload: dict[str, Any]
) -> None:
    host = emu.state.users.get(meeting.host_id)
    actor = operator or host
    emu.emit(
        event,
        meeting.account_id,
        host,
        {"operator": actor.email if actor else "", "operator_id": actor.id if actor else "", **payload},
    )
