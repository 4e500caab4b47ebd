"""A user's settings as `GET /users/{userId}/settings` returns them: Zoom's defaults plus overrides."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from .models import Account, User

DEFAULT_PASSWORD_REQUIREMENT: dict[str, Any] = {
    "length": 6,
    "have_letter": False,
    "have_number": False,
    "have_special_character": False,
    "only_allow_numeric": False,
    "have_upper_and_lower_characters": False,
    "consecutive_characters_length": 0,
    "weak_enhance_detection": False,
}


def default_settings(account: Account) -> dict[str, Any]:
    # Free accounts always require passcodes for new meetings (zoom-api.md 4.3).
    return {
        "schedule_meeting": {
            "host_video": False,
            "participants_video": False,
            "audio_type": "both",
            "join_before_host": False,
            "force_pmi_jbh_password": False,
            "pstn_password_protected": False,
            "use_pmi_for_scheduled_meetings": False,
            "use_pmi_for_instant_meetings": False,
            "require_password_for_scheduling_new_meetings": True,
            "require_password_for_scheduled_meetings": True,
            "require_password_for_instant_meetings": True,
            "require_password_for_pmi_meetings": "all",
            "default_password_for_scheduled_meetings": "",
            "embed_password_in_join_link": True,
            "personal_meeting": False,
            "meeting_password_requirement": dict(DEFAULT_PASSWORD_REQUIREMENT),
        },
        "in_meeting": {
            "e2e_encryption": False,
            "chat": True,
            "waiting_room": False,
            "auto_recording": "none",
        },
        "recording": {
            "local_recording": True,
            "cloud_recording": account.plan != "Free",
            "auto_recording": "none",
        },
        "feature": {"meeting_capacity": 100 if account.plan == "Free" else 300},
    }


def settings_for(user: User, account: Account) -> dict[str, Any]:
    return deep_merge(default_settings(account), user.settings)


def password_requirement(user: User, account: Account) -> dict[str, Any]:
    return dict(settings_for(user, account)["schedule_meeting"]["meeting_password_requirement"])


def meeting_security(user: User, account: Account) -> dict[str, Any]:
    """The `option=meeting_security` shape of the settings response."""
    settings = settings_for(user, account)
    schedule = settings["schedule_meeting"]
    return {
        "meeting_security": {
            "auto_security": True,
            "embed_password_in_join_link": schedule["embed_password_in_join_link"],
            "encryption_type": "enhanced_encryption",
            "end_to_end_encrypted_meetings": False,
            "meeting_password": schedule["require_password_for_scheduled_meetings"],
            "meeting_password_requirement": schedule["meeting_password_requirement"],
            "phone_password": schedule["pstn_password_protected"],
            "pmi_password": schedule["require_password_for_pmi_meetings"] != "none",
            "require_password_for_scheduled_meeting": schedule[
                "require_password_for_scheduling_new_meetings"
            ],
            "waiting_room": settings["in_meeting"]["waiting_room"],
        }
    }


def filter_fields(settings: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """`custom_query_fields`: keep only the named keys, each under its section."""
    wanted = {name.strip() for name in names if name.strip()}
    filtered: dict[str, Any] = {}
    for section, values in settings.items():
        if not isinstance(values, dict):
            continue
        kept = {key: value for key, value in values.items() if key in wanted}
        if kept:
            filtered[section] = kept
    return filtered


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def user_resource(user: User, account: Account, base_url: str) -> dict[str, Any]:
    """The `GET /users/{userId}` body."""
    from .clock import iso_z

    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "email": user.email,
        "type": user.type,
        "role_name": user.role,
        "role_id": {"Owner": "0", "Admin": "1"}.get(user.role, "2"),
        "pmi": user.pmi,
        "use_pmi": False,
        "personal_meeting_url": f"{base_url}/j/{user.pmi}",
        "timezone": user.timezone,
        "verified": 1,
        "dept": "",
        "created_at": iso_z(user.created_at),
        "user_created_at": iso_z(user.created_at),
        "last_login_time": iso_z(user.created_at),
        "pic_url": "",
        "language": "en-US",
        "phone_number": "",
        "status": user.status,
        "account_id": account.id,
        # Derived, not hash(): Python salts hash() per process, and the number must survive restarts.
        "account_number": int.from_bytes(hashlib.sha256(account.id.encode()).digest()[:4], "big") % 10**9,
        "cluster": "us06",
        "group_ids": [],
        "im_group_ids": [],
        "login_types": [100],
        "jid": f"{user.id.lower()}@xmpp.zoom.us",
        "plan_united_type": "1",
    }


def user_list_entry(user: User) -> dict[str, Any]:
    """One element of `GET /users` `users[]`."""
    from .clock import iso_z

    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "email": user.email,
        "type": user.type,
        "pmi": user.pmi,
        "timezone": user.timezone,
        "verified": 1,
        "dept": "",
        "user_created_at": iso_z(user.created_at),
        "created_at": iso_z(user.created_at),
        "last_login_time": iso_z(user.created_at),
        "status": user.status,
        "role_id": {"Owner": "0", "Admin": "1"}.get(user.role, "2"),
        "group_ids": [],
        "im_group_ids": [],
    }
