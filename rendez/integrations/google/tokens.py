"""Google's OAuth tokens for a calendar connection, on the provider-neutral kit (rendez/integrations/oauth/).

Google authenticates the client in the form body, keeps the refresh token on refresh (a rotated one, should it
ever come, is stored) and answers 400 `invalid_token` to revoking a token it no longer knows
(docs/integrations/google.md). The kit's `TokenKeeper` hands out access tokens: reused until shortly before
they expire, renewed under the connection's row lock; `invalid_grant` is believed only under the lock, and
then the connection needs reconnecting through the kit's `Reminders` (notices by rendez/calendars/notices.py).
Tokens never reach logs or error messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from rendez.calendars.models import CalendarConnection, Provider
from rendez.calendars.notices import REMINDERS as CALENDAR_REMINDERS
from rendez.integrations.oauth import grants
from rendez.integrations.oauth.provider import (
    ClientAuth,
    OAuthError,
    OAuthProvider,
    TokenGrant,
)
from rendez.integrations.oauth.tokens import TokenKeeper, store_grant

__all__ = [
    "CALENDAR_SCOPES",
    "ConnectionUnusable",
    "GoogleUnavailable",
    "Grant",
    "REMINDERS",
    "SCOPES",
    "access_token",
    "after_rejection",
    "exchange_code",
    "provider",
    "store_grant",
]

logger = logging.getLogger("rendez.google")
T = TypeVar("T")

REMINDERS = CALENDAR_REMINDERS[Provider.GOOGLE]

# The smallest scopes that work: events (to write appointments and read busy times on the chosen calendars),
# the calendar list (to offer the choice), free/busy; openid email names the account.
SCOPES = (
    "openid",
    "email",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.freebusy",
)
# At least one of these must be granted for a working connection (people may untick boxes on consent).
CALENDAR_SCOPES = (
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.events",
)


class GoogleUnavailable(Exception):  # noqa: N818 - a state of Google, not a bug here
    """Google's OAuth service could not answer now (network, 5xx, 429, an unreadable body): try later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConnectionUnusable(Exception):  # noqa: N818
    """The connection needs reconnecting or was disconnected: nothing can be done with it now."""


class Grant(TokenGrant):
    """Google's token answer: the kit's grant with the OpenID `id_token` (names the account)."""

    id_token: str | None = None


def provider() -> OAuthProvider:
    """Google as an OAuth provider, from the operator's settings (built per call: tests change them)."""
    return OAuthProvider(
        name="google",
        label="Google",
        authorize_url=f"{settings.GOOGLE_OAUTH_BASE_URL}/o/oauth2/v2/auth",
        token_url=settings.GOOGLE_TOKEN_URL,
        revoke_url=settings.GOOGLE_REVOKE_URL,
        client_id=settings.GOOGLE_CLIENT_ID,
        client_secret=settings.GOOGLE_CLIENT_SECRET,
        redirect_uri=f"{settings.BASE_URL}/integrations/google/callback",
        client_auth=ClientAuth.BODY,
        scopes=SCOPES,
        # Offline access for a refresh token; consent every time so a reconnect gets a new one too.
        authorize_params={"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"},
        rotates_refresh_token=False,
        grant_model=Grant,
    )


def exchange_code(code: str, code_verifier: str) -> Grant:
    """The grant for an authorization code (PKCE: the verifier of the challenge sent to consent)."""
    grant = _translated(lambda: grants.exchange_code(provider(), code, code_verifier))
    assert isinstance(grant, Grant)
    return grant


class GoogleTokens(TokenKeeper[CalendarConnection]):
    model = CalendarConnection

    def request_grant(self, locked: CalendarConnection) -> TokenGrant:
        return _translated(lambda: grants.refresh(provider(), locked.refresh_token))

    def unusable(self, holder: CalendarConnection) -> Exception:
        return ConnectionUnusable(holder.broken_reason or f"the Google connection is {holder.status}")

    def mark_needs_reconnect(self, locked: CalendarConnection, reason: str) -> None:
        REMINDERS.mark_needs_reconnect(locked, reason)
        logger.warning("google calendar connection needs reconnecting", extra={"connection_id": locked.pk})

    def dead_grant_reason(self, locked: CalendarConnection, error: Exception) -> str | None:
        reason = super().dead_grant_reason(locked, error)
        if reason is None:
            return None
        return "Google refused the stored grant (invalid_grant): access was revoked or it expired."


_keeper = GoogleTokens()


def access_token(connection: CalendarConnection) -> str:
    """A valid access token, renewed first if (nearly) expired. Raises `ConnectionUnusable` (reconnect) or
    `GoogleUnavailable` (try later; nothing changed)."""
    return _keeper.access_token(connection)


def after_rejection(connection: CalendarConnection, rejected_token: str) -> str:
    """Google answered 401 to `rejected_token`: a token to retry with, once (another process's, if one
    renewed meanwhile)."""
    return _keeper.after_rejection(connection, rejected_token)


def _translated(call: Callable[[], T]) -> T:
    """The kit's passing failures as Google's `GoogleUnavailable` (what sync and writer retry on); a refusal
    (`GrantRefused`) passes as is: the keeper decides whether it is a dead grant."""
    try:
        return call()
    except OAuthError as exc:
        if exc.retryable:
            raise GoogleUnavailable(exc.message) from None
        raise
