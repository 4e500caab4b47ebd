"""Who is calling the REST API, and may they do this: bearer tokens, scopes, `me` versus user ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request

from .errors import ZoomError, invalid_token, meeting_not_found, user_not_found
from .models import Account, Meeting, Token, User, meeting_number

if TYPE_CHECKING:
    from .emulator import Emulator


@dataclass(frozen=True)
class Permission:
    """Scopes that allow one operation: on the caller's own resources, or on any user of the account."""

    own: tuple[str, ...]
    any_user: tuple[str, ...]

    def granular(self) -> list[str]:
        # The 4711 message names the granular scopes, account-level first (composio issue 2863).
        return [scopes[-1] for scopes in (self.any_user, self.own) if scopes]


CREATE_MEETING = Permission(
    ("meeting:write", "meeting:write:meeting"), ("meeting:write:admin", "meeting:write:meeting:admin")
)
UPDATE_MEETING = Permission(
    ("meeting:write", "meeting:update:meeting"), ("meeting:write:admin", "meeting:update:meeting:admin")
)
DELETE_MEETING = Permission(
    ("meeting:write", "meeting:delete:meeting"), ("meeting:write:admin", "meeting:delete:meeting:admin")
)
READ_MEETING = Permission(
    ("meeting:read", "meeting:read:meeting"), ("meeting:read:admin", "meeting:read:meeting:admin")
)
LIST_MEETINGS = Permission(
    ("meeting:read", "meeting:read:list_meetings"), ("meeting:read:admin", "meeting:read:list_meetings:admin")
)
# Registrants: the classic scopes, or the granular ones of each registrant endpoint.
ADD_REGISTRANT = Permission(
    ("meeting:write", "meeting:write:registrant"), ("meeting:write:admin", "meeting:write:registrant:admin")
)
BATCH_REGISTRANTS = Permission(
    ("meeting:write", "meeting:write:batch_registrants"),
    ("meeting:write:admin", "meeting:write:batch_registrants:admin"),
)
LIST_REGISTRANTS = Permission(
    ("meeting:read", "meeting:read:list_registrants"),
    ("meeting:read:admin", "meeting:read:list_registrants:admin"),
)
READ_REGISTRANT = Permission(
    ("meeting:read", "meeting:read:registrant"), ("meeting:read:admin", "meeting:read:registrant:admin")
)
UPDATE_REGISTRANT_STATUS = Permission(
    ("meeting:write", "meeting:update:registrant_status"),
    ("meeting:write:admin", "meeting:update:registrant_status:admin"),
)
DELETE_REGISTRANT = Permission(
    ("meeting:write", "meeting:delete:registrant"), ("meeting:write:admin", "meeting:delete:registrant:admin")
)
LIST_USERS = Permission((), ("user:read:admin", "user:write:admin", "user:read:list_users:admin"))
READ_USER = Permission(
    ("user:read", "user:write", "user_info:read", "user_profile", "user:read:user"),
    ("user:read:admin", "user:write:admin", "user:read:user:admin"),
)
READ_SETTINGS = Permission(
    ("user:read", "user:write", "user:read:settings"),
    ("user:read:admin", "user:write:admin", "user:read:settings:admin"),
)


@dataclass
class Caller:
    token: Token
    account: Account
    user: User | None  # None for Server-to-Server tokens

    def holds(self, scopes: tuple[str, ...]) -> bool:
        return any(scope in self.token.scopes for scope in scopes)


def authenticate(emu: Emulator, request: Request) -> Caller:
    if "access_token" in request.args:
        # Zoom stopped accepting tokens in query strings in February 2023.
        raise invalid_token(
            message="Invalid access token, this access token is not supported as query parameter string."
        )
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        raise invalid_token()
    with emu.lock:
        token = emu.state.tokens.get(header[7:].strip())
        if token is None or token.kind != "access" or token.revoked:
            raise invalid_token()
        if token.expires_at <= emu.clock.now():
            raise invalid_token(message="Access token is expired.")
        user = emu.state.users.get(token.user_id) if token.user_id else None
        if token.user_id and user is None:
            raise invalid_token()
        return Caller(token=token, account=emu.state.accounts[token.account_id], user=user)


def require_scope(caller: Caller, permission: Permission) -> None:
    own_allowed = caller.user is not None and caller.holds(permission.own)
    if not (own_allowed or caller.holds(permission.any_user)):
        names = ", ".join(permission.granular())
        raise ZoomError(400, 4711, f"Invalid access token, does not contain scopes:[{names}].")


def resolve_user(emu: Emulator, caller: Caller, key: str, permission: Permission) -> User:
    """The user named by a `{userId}` path segment, as the caller is allowed to see it."""
    require_scope(caller, permission)
    if key == "me":
        if caller.user is None:
            # Server-to-Server tokens have no "me" (zoom-api.md 1.12).
            raise invalid_token(400)
        return caller.user
    if caller.user is not None and not caller.holds(permission.any_user):
        # User-level apps must say "me"; naming a user id (even their own) is an invalid-token error.
        raise invalid_token(400)
    with emu.lock:
        user = emu.state.user_by_id_or_email(key)
    if user is None or user.account_id != caller.account.id:
        raise user_not_found(key)
    return user


def resolve_meeting(emu: Emulator, caller: Caller, meeting_id: str, permission: Permission) -> Meeting:
    require_scope(caller, permission)
    with emu.lock:
        meeting = emu.state.meetings.get(meeting_number(meeting_id) or 0)
    if meeting is None or meeting.account_id != caller.account.id:
        raise meeting_not_found(meeting_id)
    is_host = caller.user is not None and meeting.host_id == caller.user.id
    if not is_host and not caller.holds(permission.any_user):
        if permission is READ_MEETING:
            raise ZoomError(400, 3000, "Cannot access meeting information.")
        raise ZoomError(400, 3003, "You are not the meeting host.")
    return meeting
