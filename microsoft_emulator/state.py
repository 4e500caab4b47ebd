"""Everything the emulator remembers and how it is built from a seed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

# The tenant id of every personal Microsoft account ("consumers"), as documented for the `tid` claim.
CONSUMER_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"


@dataclass
class App:
    client_id: str
    client_secret: str
    name: str
    redirect_uris: list[str]


@dataclass
class User:
    id: str
    tenant_id: str
    display_name: str
    user_principal_name: str
    mail: str | None
    account_type: str  # "work" or "personal"
    time_zone: str = "UTC"

    @property
    def address(self) -> str:
        return self.mail or self.user_principal_name


@dataclass
class Calendar:
    id: str
    owner_id: str
    name: str
    is_default: bool = False
    can_edit: bool = True
    color: str = "auto"


@dataclass
class Event:
    id: str
    owner_id: str
    calendar_id: str
    data: dict[str, Any]  # the stored Graph properties (start/end normalised to UTC)
    start_ts: float
    end_ts: float
    created: float
    modified: float
    change_seq: int
    extended: dict[str, str] = field(default_factory=dict)  # normalised property id -> value
    deleted_seq: int | None = None


@dataclass
class AuthCode:
    code: str
    client_id: str
    user_id: str
    redirect_uri: str
    scopes: list[str]
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float
    redeemed: bool = False


@dataclass
class Token:
    value: str
    kind: str  # "access" or "refresh"
    client_id: str
    user_id: str
    scopes: list[str]
    issued_at: float
    expires_at: float
    generation: int = 0  # the grant's generation when issued; revoking the grant starts a new one


@dataclass
class Subscription:
    id: str
    client_id: str
    user_id: str
    resource: str
    calendar_id: str | None  # None: all the user's events
    change_types: list[str]
    notification_url: str
    lifecycle_notification_url: str | None
    client_state: str | None
    expires_at: float
    latest_tls: str = "v1_2"


@dataclass
class DeltaState:
    """What a delta or skip token stands for: a calendar view window and where in the change log it stands."""

    user_id: str
    calendar_id: str | None
    start_ts: float
    end_ts: float
    seq: int
    created: float
    # For a page token: the items still to send in this round; None for a delta token.
    pending: list[dict[str, Any]] | None = None
    # Set by the control API to play "tenant maintenance": 410 with a Location to start over.
    resync: bool = False


@dataclass
class State:
    apps: dict[str, App] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    calendars: dict[str, Calendar] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    # (client_id, user_id) -> generation; revoking bumps it, so refresh tokens issued before stop working
    # (Entra's "TokensValidFrom").
    grants: dict[tuple[str, str], int] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    delta_states: dict[str, DeltaState] = field(default_factory=dict)
    seq: int = 0

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def user_by_address(self, address: str) -> User | None:
        lowered = address.lower()
        for user in self.users.values():
            if lowered in (user.user_principal_name.lower(), (user.mail or "").lower()):
                return user
        return None

    def calendars_of(self, user_id: str) -> list[Calendar]:
        found = [cal for cal in self.calendars.values() if cal.owner_id == user_id]
        return sorted(found, key=lambda cal: (not cal.is_default, cal.name))

    def default_calendar(self, user_id: str) -> Calendar:
        return next(cal for cal in self.calendars_of(user_id) if cal.is_default)

    def live_events(self, user_id: str, calendar_id: str | None = None) -> list[Event]:
        found = [
            event
            for event in self.events.values()
            if event.owner_id == user_id
            and event.deleted_seq is None
            and (calendar_id is None or event.calendar_id == calendar_id)
        ]
        return sorted(found, key=lambda event: (event.start_ts, event.id))


def outlook_id(prefix: str, *parts: str) -> str:
    """A stable id shaped like Outlook's long base64-ish ids (AAMkAG...)."""
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"{prefix}{digest[:40]}="


def state_from_seed(seed: dict[str, Any], now: float) -> State:
    """Build state from the seed format in seeds/default.json (see docs/integrations/microsoft.md)."""
    from .events import create_event_from_seed

    state = State()
    for app in seed.get("apps", []):
        state.apps[app["client_id"]] = App(
            client_id=app["client_id"],
            client_secret=app["client_secret"],
            name=app.get("name", app["client_id"]),
            redirect_uris=list(app.get("redirect_uris", [])),
        )
    for tenant in seed.get("tenants", []):
        for raw in tenant.get("users", []):
            user = User(
                id=raw["id"],
                tenant_id=tenant["id"],
                display_name=raw["display_name"],
                user_principal_name=raw["user_principal_name"],
                mail=raw.get("mail"),
                account_type=tenant.get("account_type", "work"),
                time_zone=raw.get("time_zone", "UTC"),
            )
            state.users[user.id] = user
            names = raw.get("calendars") or ["Calendar"]
            for index, name in enumerate(names):
                cal = Calendar(
                    id=outlook_id("AAMkAGcal", user.id, name),
                    owner_id=user.id,
                    name=name,
                    is_default=index == 0,
                    can_edit=True,
                )
                state.calendars[cal.id] = cal
            for raw_event in raw.get("events", []):
                create_event_from_seed(state, user, _seed_event(raw_event, user, now), now)
    return state


def _seed_event(raw: dict[str, Any], user: User, now: float) -> dict[str, Any]:
    """Seed events are written relative to today in the user's zone: `day` offset, `time` and `minutes`."""
    zone = ZoneInfo(user.time_zone)
    today = datetime.fromtimestamp(now, UTC).astimezone(zone).date()
    day = today + timedelta(days=int(raw["day"]))
    body: dict[str, Any] = {key: value for key, value in raw.items() if key not in ("day", "time", "minutes")}
    if raw.get("isAllDay"):
        body["start"] = {"dateTime": f"{day.isoformat()}T00:00:00", "timeZone": user.time_zone}
        end_day = day + timedelta(days=max(1, int(raw.get("minutes", 1440)) // 1440))
        body["end"] = {"dateTime": f"{end_day.isoformat()}T00:00:00", "timeZone": user.time_zone}
        return body
    hour, minute = (int(part) for part in raw["time"].split(":"))
    start = datetime(day.year, day.month, day.day, hour, minute)
    end = start + timedelta(minutes=int(raw["minutes"]))
    body["start"] = {"dateTime": start.isoformat(), "timeZone": user.time_zone}
    body["end"] = {"dateTime": end.isoformat(), "timeZone": user.time_zone}
    return body
