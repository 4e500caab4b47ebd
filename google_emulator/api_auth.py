"""Bearer tokens on the Calendar and userinfo APIs, and the scopes each method accepts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.wrappers import Request

from .errors import insufficient_scopes, invalid_credentials, missing_credentials
from .models import AccessToken, User

if TYPE_CHECKING:
    from .emulator import Emulator

AUTH = "https://www.googleapis.com/auth/"
FULL = AUTH + "calendar"
READ = AUTH + "calendar.readonly"
EVENTS = AUTH + "calendar.events"
EVENTS_READ = AUTH + "calendar.events.readonly"
OWNED = AUTH + "calendar.events.owned"
OWNED_READ = AUTH + "calendar.events.owned.readonly"
APP_CREATED = AUTH + "calendar.app.created"

# Per method, the scopes Google's reference lists under "Authorization" (any one suffices).
CALENDAR_LIST_SCOPES = (FULL, READ, AUTH + "calendar.calendarlist", AUTH + "calendar.calendarlist.readonly")
FREEBUSY_SCOPES = (
    FULL,
    READ,
    EVENTS,
    EVENTS_READ,
    AUTH + "calendar.freebusy",
    AUTH + "calendar.events.freebusy",
)
EVENT_READ_SCOPES = (FULL, READ, EVENTS, EVENTS_READ, OWNED, OWNED_READ, APP_CREATED)
EVENT_WRITE_SCOPES = (FULL, EVENTS, OWNED, APP_CREATED)
USERINFO_SCOPES = ("openid", AUTH + "userinfo.email", AUTH + "userinfo.profile")


def authenticate(emu: Emulator, request: Request, accepted: tuple[str, ...]) -> tuple[AccessToken, User]:
    header = request.headers.get("Authorization", "")
    if not header:
        raise missing_credentials()
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value:
        raise invalid_credentials()
    with emu.lock:
        token = emu.state.access_tokens.get(value.strip())
        if token is None or token.revoked or token.expires_at <= emu.clock.now():
            raise invalid_credentials()
        if not any(scope in token.scopes for scope in accepted):
            raise insufficient_scopes()
        return token, emu.state.users[token.sub]
