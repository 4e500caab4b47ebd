"""The one component that hands out a valid access token for a Zoom connection: the shared `TokenKeeper`
(rendez/integrations/oauth/tokens.py: reuse until shortly before expiry, renew under the row lock, believe
`invalid_grant` only under the lock) with what is Zoom's.

Zoom's refresh tokens rotate and only the latest works (§1.5). Server-to-Server tokens are stored the same
way, so all processes share one per hour (§2: "cache tokens, never one per call"); for them wrong or
deactivated app credentials are as dead as a revoked grant.
"""

from __future__ import annotations

import logging

from rendez.integrations.oauth.tokens import RENEW_MARGIN, TokenKeeper, renewal_times, store_grant
from rendez.integrations.zoom import health, oauth
from rendez.integrations.zoom.errors import ConnectionUnusable, OAuthGrantError
from rendez.integrations.zoom.models import Connection, Mode
from rendez.integrations.zoom.schemas import TokenGrant
from rendez.observability import metrics

__all__ = ["RENEW_MARGIN", "access_token", "after_rejection", "renewal_times", "store_grant"]

logger = logging.getLogger("rendez.zoom")


class ZoomTokens(TokenKeeper[Connection]):
    model = Connection

    def request_grant(self, locked: Connection) -> TokenGrant:
        if locked.mode == Mode.TENANT_S2S:
            return oauth.account_credentials(locked.account_id, locked.client_id, locked.client_secret)
        return oauth.refresh(locked.refresh_token)

    def unusable(self, holder: Connection) -> Exception:
        return ConnectionUnusable(holder.broken_reason or "The Zoom connection needs to be reconnected.")

    def mark_needs_reconnect(self, locked: Connection, reason: str) -> None:
        health.mark_needs_reconnect(locked, reason)

    def dead_grant_reason(self, locked: Connection, error: Exception) -> str | None:
        if not isinstance(error, OAuthGrantError):
            return None
        if locked.mode == Mode.TENANT_S2S:
            # Wrong or deactivated app credentials can only be fixed by entering new ones.
            if error.is_invalid_client or error.is_invalid_grant or error.error == "invalid_request":
                return (
                    "Zoom no longer accepts the Server-to-Server app's credentials "
                    f"({error.reason or error.error}). The app may have been deactivated or its secret "
                    "regenerated."
                )
            return None
        if error.is_invalid_grant:
            return (
                "Zoom no longer accepts Rendez's authorization for this Zoom account "
                f"({error.reason or error.error}). It was revoked, or the account was connected again "
                "elsewhere."
            )
        return None

    def renewed(self, holder: Connection, outcome: str) -> None:
        if outcome == "renewed":
            logger.info("zoom token renewed for connection %s (%s)", holder.pk, holder.mode)
        metrics.zoom_token_refreshed(holder.mode, outcome)


_keeper = ZoomTokens()


def access_token(connection: Connection) -> str:
    """A valid access token for `connection`, renewing it first if it is (nearly) expired.

    Raises `ConnectionUnusable` when the connection needs reconnecting, `ZoomUnavailable` when Zoom's OAuth
    service cannot be reached (retry later; nothing was changed).
    """
    return _keeper.access_token(connection)


def after_rejection(connection: Connection, rejected_token: str) -> str:
    """Zoom answered 401/124 to `rejected_token`: a token to retry with, once.

    Another process may have renewed already; then its token is used and nothing is requested.
    """
    return _keeper.after_rejection(connection, rejected_token)
