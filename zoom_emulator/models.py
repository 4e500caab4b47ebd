"""The records the emulator keeps: accounts, users, apps, OAuth artefacts and meetings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PLANS = ("Free", "Pro", "Business")
MEETING_ID_DIGITS = 19  # int64


def meeting_number(text: str) -> int | None:
    """The meeting id in a URL segment, or None when it cannot be one (not ASCII digits, beyond int64)."""
    if not (text.isascii() and text.isdigit()) or len(text) > MEETING_ID_DIGITS:
        return None
    return int(text)


ADMIN_ROLES = ("Owner", "Admin")


@dataclass
class Account:
    id: str
    name: str
    plan: str
    timezone: str = "UTC"


@dataclass
class User:
    id: str
    account_id: str
    email: str
    first_name: str
    last_name: str
    role: str = "Member"
    type: int = 2
    timezone: str = "UTC"
    pmi: int = 0
    status: str = "active"
    created_at: float = 0.0
    # Only the overrides from the seed; defaults are filled in by user_settings.settings_for().
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class OAuthApp:
    """A user-managed ("General") app installed by individual users through the authorize page."""

    client_id: str
    client_secret: str
    name: str
    redirect_uris: list[str]
    scopes: list[str]
    event_url: str = ""
    webhook_secret: str = ""


@dataclass
class S2SApp:
    """A Server-to-Server OAuth app: account credentials, no users consent, no refresh tokens."""

    client_id: str
    client_secret: str
    account_id: str
    name: str
    scopes: list[str]
    event_url: str = ""
    webhook_secret: str = ""


@dataclass
class AuthCode:
    code: str
    client_id: str
    user_id: str
    redirect_uri: str
    code_challenge: str | None
    code_challenge_method: str
    expires_at: float
    used: bool = False


@dataclass
class Token:
    value: str
    kind: str  # "access" or "refresh"
    client_id: str
    account_id: str
    user_id: str | None  # None for Server-to-Server tokens
    scopes: list[str]
    expires_at: float
    revoked: bool = False


@dataclass
class Meeting:
    id: int
    uuid: str
    host_id: str
    account_id: str
    topic: str
    type: int
    start_time: float | None
    duration: int
    timezone: str
    agenda: str
    password: str
    h323_password: str
    encrypted_password: str
    created_at: float
    settings: dict[str, Any]
    status: str = "waiting"
    pre_schedule: bool = False
    tracking_fields: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Registrant:
    """One person registered for a meeting that requires registration; `token` is the `tk` of their own link.

    `status` is Zoom's `approved`, `pending` or `denied`, or `cancelled` (a cancelled registration is listed
    under `denied`, the only filter Zoom offers besides approved and pending)."""

    id: str
    meeting_id: int
    email: str
    first_name: str
    last_name: str
    status: str
    token: str
    created_at: float
    participant_pin_code: int = 0


@dataclass
class StartToken:
    """The `zak` behind a start_url; it lets whoever holds the URL start the meeting as host."""

    value: str
    meeting_id: int
    user_id: str
    expires_at: float
