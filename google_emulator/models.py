"""The emulator's records. Events keep their resource body as Google returns it, plus bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    name: str = "Rendez"


@dataclass
class User:
    sub: str
    email: str
    given_name: str
    family_name: str
    time_zone: str = "Europe/Berlin"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass
class Calendar:
    id: str
    summary: str
    time_zone: str
    owner_sub: str | None  # None: a public calendar (holidays) others can only read
    description: str = ""


@dataclass
class CalendarAccess:
    """A calendar in someone's calendar list, with their role on it."""

    calendar_id: str
    access_role: str  # freeBusyReader, reader, writer, owner
    primary: bool = False


@dataclass
class Grant:
    """What a user consented to give one client; survives individual tokens until revoked."""

    client_id: str
    sub: str
    scopes: set[str] = field(default_factory=set)
    refresh_issued: bool = False


@dataclass
class AuthCode:
    code: str
    client_id: str
    sub: str
    redirect_uri: str
    scopes: list[str]
    expires_at: float
    issue_refresh: bool
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None
    used: bool = False


@dataclass
class RefreshToken:
    token: str
    client_id: str
    sub: str
    scopes: list[str]
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    client_id: str
    sub: str
    scopes: list[str]
    expires_at: float
    refresh_token: str | None
    revoked: bool = False


@dataclass
class Event:
    id: str
    calendar_id: str
    body: dict[str, Any]  # the resource fields the client sees, without bookkeeping ones
    created: float
    updated: float
    change_seq: int  # position in the emulator's change order; sync tokens point into it
    etag_seq: int
    status: str = "confirmed"  # confirmed, tentative, cancelled
    sequence: int = 0
    meet_pending_reads: int = 0  # reads left during which createRequest still answers "pending"


@dataclass
class Channel:
    id: str
    resource_id: str
    calendar_id: str
    address: str
    token: str | None
    expiration_ms: int
    client_id: str
    sub: str
    message_number: int = 0
    stopped: bool = False


@dataclass
class State:
    clients: dict[str, Client] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # by sub
    calendars: dict[str, Calendar] = field(default_factory=dict)
    calendar_lists: dict[str, list[CalendarAccess]] = field(default_factory=dict)  # by sub
    grants: dict[tuple[str, str], Grant] = field(default_factory=dict)  # (client_id, sub)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    events: dict[tuple[str, str], Event] = field(default_factory=dict)  # (calendar_id, event_id)
    channels: dict[str, Channel] = field(default_factory=dict)
    change_seq: int = 0
    sync_generation: dict[str, int] = field(default_factory=dict)  # by calendar; bumping it voids its tokens

    def user_by_email(self, email: str) -> User | None:
        return next((user for user in self.users.values() if user.email == email), None)

    def next_change(self) -> int:
        self.change_seq += 1
        return self.change_seq
