"""The one component that hands out a valid access token for a connection.

Zoom's refresh tokens rotate and only the latest works (§1.5), and any number of web and worker processes
may need a token at the same moment. So a token is reused until shortly before it expires, and renewed under
a row lock: lock, re-read, renew only if still needed, store the new pair, commit, then use it. Whoever waits
on the lock finds the fresh token on re-reading and makes no request of its own. Server-to-Server tokens are
stored the same way, so all processes share one per hour (§2: "cache tokens, never one per call").

`invalid_grant` is believed only after re-reading the row under the lock: the refresh token that failed was
the latest one stored, so no other process had rotated it. Then the connection needs reconnecting.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from rendez.integrations.zoom import health, oauth
from rendez.integrations.zoom.errors import ConnectionUnusable, OAuthGrantError
from rendez.integrations.zoom.models import Connection, Mode
from rendez.integrations.zoom.schemas import TokenGrant
from rendez.observability import metrics

logger = logging.getLogger("rendez.zoom")

# Zoom's tokens live an hour; stop using one 5 minutes before, or a tenth of its life if it is shorter.
RENEW_MARGIN = timedelta(minutes=5)


def renewal_times(expires_in: int, now: datetime) -> tuple[datetime, datetime]:
    """(expires_at, renew_at) of a token granted `expires_in` seconds of life at `now`."""
    life = timedelta(seconds=expires_in)
    return now + life, now + life - min(RENEW_MARGIN, life / 10)


def store_grant(connection: Connection, grant: TokenGrant, now: datetime | None = None) -> None:
    """Put a fresh grant on `connection` (not saved). A grant without a refresh token keeps the stored one."""
    expires_at, renew_at = renewal_times(grant.expires_in, now or timezone.now())
    connection.set_tokens(grant.access_token, grant.refresh_token, expires_at, renew_at)


def access_token(connection: Connection) -> str:
    """A valid access token for `connection`, renewing it first if it is (nearly) expired.

    Raises `ConnectionUnusable` when the connection needs reconnecting, `ZoomUnavailable` when Zoom's OAuth
    service cannot be reached (retry later; nothing was changed).
    """
    if not connection.is_usable:
        raise ConnectionUnusable(_unusable_message(connection))
    if not _needs_renewal(connection, timezone.now()):
        return connection.access_token
    return _renew(connection, rejected_token=None)


def after_rejection(connection: Connection, rejected_token: str) -> str:
    """Zoom answered 401/124 to `rejected_token`: a token to retry with, once.

    Another process may have renewed already; then its token is used and nothing is requested.
    """
    return _renew(connection, rejected_token=rejected_token)


def _needs_renewal(connection: Connection, now: datetime) -> bool:
    renew_at = connection.access_token_renew_at
    return not connection.access_token_encrypted or renew_at is None or renew_at <= now


def _renew(connection: Connection, rejected_token: str | None) -> str:
    broken: OAuthGrantError | None = None
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=connection.pk)
        if not locked.is_usable:
            _copy_tokens(locked, connection)
            raise ConnectionUnusable(_unusable_message(locked))
        stale = _needs_renewal(locked, timezone.now())
        if not stale and (rejected_token is None or locked.access_token != rejected_token):
            _copy_tokens(locked, connection)
            return locked.access_token
        try:
            grant = _request_grant(locked)
        except OAuthGrantError as exc:
            if not _means_reconnect(locked, exc):
                raise
            broken = exc
            health.mark_needs_reconnect(locked, _broken_reason(locked, exc))
        else:
            store_grant(locked, grant)
            locked.save(
                update_fields=[
                    "access_token_encrypted",
                    "refresh_token_encrypted",
                    "access_token_expires_at",
                    "access_token_renew_at",
                    "updated_at",
                ]
            )
        _copy_tokens(locked, connection)
    if broken is not None:
        metrics.zoom_token_refreshed(connection.mode, "rejected")
        # Raised after the commit: the status change must outlive this failure.
        raise ConnectionUnusable(_unusable_message(connection)) from None
    logger.info("zoom token renewed for connection %s (%s)", connection.pk, connection.mode)
    metrics.zoom_token_refreshed(connection.mode, "renewed")
    return connection.access_token


def _request_grant(connection: Connection) -> TokenGrant:
    if connection.mode == Mode.TENANT_S2S:
        return oauth.account_credentials(
            connection.account_id, connection.client_id, connection.client_secret
        )
    return oauth.refresh(connection.refresh_token)


def _means_reconnect(connection: Connection, error: OAuthGrantError) -> bool:
    # A refused refresh token can only be fixed by authorizing again; for S2S, wrong or deactivated app
    # credentials can only be fixed by entering new ones.
    if connection.mode == Mode.TENANT_S2S:
        return error.is_invalid_client or error.is_invalid_grant or error.error == "invalid_request"
    return error.is_invalid_grant


def _broken_reason(connection: Connection, error: OAuthGrantError) -> str:
    if connection.mode == Mode.TENANT_S2S:
        return (
            "Zoom no longer accepts the Server-to-Server app's credentials "
            f"({error.reason or error.error}). The app may have been deactivated or its secret regenerated."
        )
    return (
        "Zoom no longer accepts Rendez's authorization for this Zoom account "
        f"({error.reason or error.error}). It was revoked, or the account was connected again elsewhere."
    )


def _copy_tokens(source: Connection, target: Connection) -> None:
    for field in (
        "status",
        "broken_reason",
        "broken_at",
        "access_token_encrypted",
        "refresh_token_encrypted",
        "access_token_expires_at",
        "access_token_renew_at",
    ):
        setattr(target, field, getattr(source, field))


def _unusable_message(connection: Connection) -> str:
    return connection.broken_reason or "The Zoom connection needs to be reconnected."
