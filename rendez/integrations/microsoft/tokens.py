"""Access tokens of Microsoft calendar connections: the OAuth kit's TokenKeeper over CalendarConnection rows.

Microsoft rotates refresh tokens: each refresh answer carries a new one, stored (encrypted) in the same
transaction as the access token; the kit refuses a refresh answer without one. `invalid_grant` (AADSTS50173
revoked, 700082 inactive) read under the row lock → the connection needs reconnecting, with the reminders of
every calendar provider (rendez/calendars/notices.py).
"""

from __future__ import annotations

import logging

from rendez.calendars.models import CalendarConnection, Provider
from rendez.calendars.notices import REMINDERS
from rendez.integrations.microsoft import oauth
from rendez.integrations.oauth import grants
from rendez.integrations.oauth.provider import ProviderUnavailable, TokenGrant, UnreadableAnswer
from rendez.integrations.oauth.tokens import TokenKeeper

logger = logging.getLogger("rendez.microsoft")

# The kit's passing failures: try later, nothing changed.
Unavailable = (ProviderUnavailable, UnreadableAnswer)


class ConnectionUnusable(Exception):  # noqa: N818 - a state of the connection
    """The connection needs reconnecting or was disconnected: nothing can be done with it now."""


# CalendarConnection has every TokenHolder field (status, tokens, broken_*) without inheriting it.
class MicrosoftTokens(TokenKeeper[CalendarConnection]):
    model = CalendarConnection

    def request_grant(self, locked: CalendarConnection) -> TokenGrant:
        return grants.refresh(oauth.provider(), locked.refresh_token)

    def unusable(self, holder: CalendarConnection) -> Exception:
        return ConnectionUnusable(holder.broken_reason or f"the Microsoft connection is {holder.status}")

    def mark_needs_reconnect(self, locked: CalendarConnection, reason: str) -> None:
        REMINDERS[Provider.MICROSOFT].mark_needs_reconnect(locked, f"Microsoft: {reason}")
        logger.warning("microsoft calendar connection needs reconnecting", extra={"connection_id": locked.pk})


KEEPER = MicrosoftTokens()


def access_token(connection: CalendarConnection) -> str:
    if not connection.is_usable:
        raise ConnectionUnusable(f"the Microsoft connection is {connection.status}")
    return KEEPER.access_token(connection)


def after_rejection(connection: CalendarConnection, rejected_token: str) -> str:
    return KEEPER.after_rejection(connection, rejected_token)
