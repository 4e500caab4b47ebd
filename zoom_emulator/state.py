"""Everything the emulator remembers, how it is built from a seed and how it is saved to a JSON file."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from emulator_kit.state_file import read_json

from .models import (
    PLANS,
    Account,
    AuthCode,
    Meeting,
    OAuthApp,
    Registrant,
    S2SApp,
    StartToken,
    Token,
    User,
)

STATE_VERSION = 1


class SeedError(ValueError):
    """The seed JSON does not follow the documented format."""


@dataclass
class State:
    accounts: dict[str, Account] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    oauth_apps: dict[str, OAuthApp] = field(default_factory=dict)
    s2s_apps: dict[str, S2SApp] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    # (client_id, user_id) pairs of users who installed a user-managed app.
    grants: set[tuple[str, str]] = field(default_factory=set)
    meetings: dict[int, Meeting] = field(default_factory=dict)
    start_tokens: dict[str, StartToken] = field(default_factory=dict)
    # "host_id|YYYY-MM-DD" -> creates + updates that UTC day.
    daily_meeting_writes: dict[str, int] = field(default_factory=dict)
    registrants: dict[str, Registrant] = field(default_factory=dict)
    # "meeting_id|email|YYYY-MM-DD" -> adds of that registrant to that meeting that UTC day (Zoom allows 3).
    daily_registrant_adds: dict[str, int] = field(default_factory=dict)
    # "registrant_id|YYYY-MM-DD" -> status changes of that registrant that UTC day (Zoom allows 10).
    daily_registrant_status_changes: dict[str, int] = field(default_factory=dict)

    def user_by_id_or_email(self, key: str) -> User | None:
        if key in self.users:
            return self.users[key]
        lowered = key.lower()
        return next((user for user in self.users.values() if user.email.lower() == lowered), None)

    def users_of(self, account_id: str) -> list[User]:
        return sorted(
            (user for user in self.users.values() if user.account_id == account_id),
            key=lambda user: (user.created_at, user.email),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "accounts": [asdict(item) for item in self.accounts.values()],
            "users": [asdict(item) for item in self.users.values()],
            "oauth_apps": [asdict(item) for item in self.oauth_apps.values()],
            "s2s_apps": [asdict(item) for item in self.s2s_apps.values()],
            "codes": [asdict(item) for item in self.codes.values()],
            "tokens": [asdict(item) for item in self.tokens.values()],
            "grants": sorted([list(grant) for grant in self.grants]),
            "meetings": [asdict(item) for item in self.meetings.values()],
            "start_tokens": [asdict(item) for item in self.start_tokens.values()],
            "daily_meeting_writes": dict(self.daily_meeting_writes),
            "registrants": [asdict(item) for item in self.registrants.values()],
            "daily_registrant_adds": dict(self.daily_registrant_adds),
            "daily_registrant_status_changes": dict(self.daily_registrant_status_changes),
        }

    def to_json(self) -> str:
        """`to_dict()` as JSON text, made without `asdict`'s deep copies and with json's C encoder: with a
        thousand meetings `json.dump(to_dict())` took 0.2 s of CPU, and it ran after every change."""
        document = {
            "version": STATE_VERSION,
            "accounts": [_fields_of(item) for item in self.accounts.values()],
            "users": [_fields_of(item) for item in self.users.values()],
            "oauth_apps": [_fields_of(item) for item in self.oauth_apps.values()],
            "s2s_apps": [_fields_of(item) for item in self.s2s_apps.values()],
            "codes": [_fields_of(item) for item in self.codes.values()],
            "tokens": [_fields_of(item) for item in self.tokens.values()],
            "grants": sorted([list(grant) for grant in self.grants]),
            "meetings": [_fields_of(item) for item in self.meetings.values()],
            "start_tokens": [_fields_of(item) for item in self.start_tokens.values()],
            "daily_meeting_writes": dict(self.daily_meeting_writes),
        }
        return json.dumps(document)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        return cls(
            accounts={item["id"]: Account(**item) for item in data.get("accounts", [])},
            users={item["id"]: User(**item) for item in data.get("users", [])},
            oauth_apps={item["client_id"]: OAuthApp(**item) for item in data.get("oauth_apps", [])},
            s2s_apps={item["client_id"]: S2SApp(**item) for item in data.get("s2s_apps", [])},
            codes={item["code"]: AuthCode(**item) for item in data.get("codes", [])},
            tokens={item["value"]: Token(**item) for item in data.get("tokens", [])},
            grants={(grant[0], grant[1]) for grant in data.get("grants", [])},
            meetings={item["id"]: Meeting(**item) for item in data.get("meetings", [])},
            start_tokens={item["value"]: StartToken(**item) for item in data.get("start_tokens", [])},
            daily_meeting_writes=dict(data.get("daily_meeting_writes", {})),
            registrants={item["id"]: Registrant(**item) for item in data.get("registrants", [])},
            daily_registrant_adds=dict(data.get("daily_registrant_adds", {})),
            daily_registrant_status_changes=dict(data.get("daily_registrant_status_changes", {})),
        )


def _fields_of(item: Any) -> dict[str, Any]:
    # The models hold only JSON values (nested dicts and lists of them): a shallow dict serialises the same.
    return {name: getattr(item, name) for name in item.__dataclass_fields__}


def load_state(path: str) -> State | None:
    data = read_json(path)
    return State.from_dict(data) if data is not None else None


def state_from_seed(seed: dict[str, Any], now: float) -> State:
    state = State()
    for account_data in seed.get("accounts", []):
        account = _account_from_seed(account_data)
        state.accounts[account.id] = account
        for position, user_data in enumerate(account_data.get("users", [])):
            user = _user_from_seed(user_data, account, now + position)
            state.users[user.id] = user
    for app_data in seed.get("oauth_apps", []):
        app = OAuthApp(
            client_id=_required(app_data, "client_id"),
            client_secret=_required(app_data, "client_secret"),
            name=app_data.get("name", app_data["client_id"]),
            redirect_uris=list(app_data.get("redirect_uris", [])),
            scopes=list(app_data.get("scopes", [])),
            event_url=app_data.get("event_url", ""),
            webhook_secret=app_data.get("webhook_secret", ""),
        )
        state.oauth_apps[app.client_id] = app
    for app_data in seed.get("s2s_apps", []):
        s2s = S2SApp(
            client_id=_required(app_data, "client_id"),
            client_secret=_required(app_data, "client_secret"),
            account_id=_required(app_data, "account_id"),
            name=app_data.get("name", app_data["client_id"]),
            scopes=list(app_data.get("scopes", [])),
            event_url=app_data.get("event_url", ""),
            webhook_secret=app_data.get("webhook_secret", ""),
        )
        if s2s.account_id not in state.accounts:
            raise SeedError(f"S2S app {s2s.client_id} names unknown account {s2s.account_id}")
        state.s2s_apps[s2s.client_id] = s2s
    return state


def _account_from_seed(data: dict[str, Any]) -> Account:
    plan = data.get("plan", "Pro")
    if plan not in PLANS:
        raise SeedError(f"account plan must be one of {PLANS}, got {plan!r}")
    return Account(
        id=_required(data, "id"),
        name=data.get("name", data["id"]),
        plan=plan,
        timezone=data.get("timezone", "UTC"),
    )


def _user_from_seed(data: dict[str, Any], account: Account, created_at: float) -> User:
    email = _required(data, "email")
    digest = hashlib.sha256(email.lower().encode()).digest()
    return User(
        # Zoom user ids are 22-character URL-safe base64 strings; derive a stable one from the email.
        id=data.get("id") or base64.urlsafe_b64encode(digest[:16]).decode().rstrip("="),
        account_id=account.id,
        email=email,
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        role=data.get("role", "Member"),
        type=int(data.get("type", 1 if account.plan == "Free" else 2)),
        timezone=data.get("timezone", account.timezone),
        pmi=int(data.get("pmi") or 1_000_000_000 + int.from_bytes(digest[16:20], "big") % 8_999_999_999),
        status=data.get("status", "active"),
        created_at=created_at,
        settings=data.get("settings", {}),
    )


def _required(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not value:
        raise SeedError(f"seed entry {data!r} lacks {key!r}")
    return str(value)
