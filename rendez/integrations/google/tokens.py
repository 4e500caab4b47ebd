"""Google's OAuth tokens for a calendar connection: exchange, refresh under a row lock, revoke.

Kept in this one module so it can be swapped for the provider-neutral OAuth kit (integrations/oauth/) at
merge. Google's refresh answers carry no new refresh token (docs/integrations/google.md); if one ever does
(rotation), it is stored and the old one dropped. Any number of processes may need a token at once: it is
reused until shortly before it expires and renewed under a row lock (lock, re-read, renew only if still
needed, store, commit), so waiters find the fresh token and make no request. `invalid_grant` is believed only
under the lock, then the connection needs reconnecting. Tokens never reach logs or error messages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rendez.calendars.models import CalendarConnection
from rendez.lib import http

logger = logging.getLogger("rendez.google")

RENEW_MARGIN = timedelta(minutes=5)


class GoogleUnavailable(Exception):  # noqa: N818 - a state of Google, not a bug here
    """Google's OAuth service could not answer now (network, 5xx, 429, an unreadable body): try later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class GrantRevoked(Exception):  # noqa: N818
    """Google said `invalid_grant`: the person revoked access (or the grant expired); reconnect."""


class ConnectionUnusable(Exception):  # noqa: N818
    """The connection needs reconnecting or was disconnected: nothing can be done with it now."""


@dataclass(frozen=True)
class Grant:
    access_token: str
    expires_in: int
    refresh_token: str | None = None
    scope: str = ""
    id_token: str | None = None


def exchange_code(code: str, redirect_uri: str, code_verifier: str) -> Grant:
    """The grant for an authorization code (PKCE: the verifier of the challenge sent to consent)."""
    return _token_call(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
    )


def refresh(refresh_token: str) -> Grant:
    return _token_call({"grant_type": "refresh_token", "refresh_token": refresh_token})


def revoke(token: str) -> bool:
    """Revoke the grant `token` belongs to; True when Google did or already had (400 `invalid_token`)."""
    try:
        response = http.request(
            "POST",
            settings.GOOGLE_REVOKE_URL,
            data={"token": token},
            raise_for_status=False,
            configured_base_url=settings.GOOGLE_REVOKE_URL,
        )
    except http.HTTPError:
        return False
    return response.status_code in (200, 400)


def store_grant(connection: CalendarConnection, grant: Grant, now: datetime | None = None) -> None:
    """Put a fresh grant on `connection` (not saved); one without a refresh token keeps the stored one."""
    moment = now or timezone.now()
    life = timedelta(seconds=grant.expires_in)
    connection.set_tokens(
        grant.access_token, grant.refresh_token, moment + life, moment + life - min(RENEW_MARGIN, life / 10)
    )


def access_token(connection: CalendarConnection) -> str:
    """A valid access token, renewed first if (nearly) expired. Raises `ConnectionUnusable` (reconnect) or
    `GoogleUnavailable` (try later; nothing changed)."""
    if not connection.is_usable:
        raise ConnectionUnusable(f"the Google connection is {connection.status}")
    renew_at = connection.access_token_renew_at
    if connection.access_token_encrypted and renew_at is not None and renew_at > timezone.now():
        return connection.access_token
    return _renew(connection, rejected_token=None)


def after_rejection(connection: CalendarConnection, rejected_token: str) -> str:
    """Google answered 401 to `rejected_token`: a token to retry with, once (another process's, if one
    renewed meanwhile)."""
    return _renew(connection, rejected_token=rejected_token)


def mark_needs_reconnect(connection: CalendarConnection, reason: str) -> None:
    CalendarConnection.objects.filter(pk=connection.pk, tenant_id=connection.tenant_id).update(
        status=CalendarConnection.Status.NEEDS_RECONNECT, broken_reason=reason, broken_at=timezone.now()
    )
    connection.status = CalendarConnection.Status.NEEDS_RECONNECT
    connection.broken_reason = reason
    logger.warning("google calendar connection needs reconnecting", extra={"connection_id": connection.pk})


def _renew(connection: CalendarConnection, rejected_token: str | None) -> str:
    revoked = False
    with transaction.atomic():
        locked = CalendarConnection.objects.select_for_update().get(
            pk=connection.pk, tenant_id=connection.tenant_id
        )
        if not locked.is_usable:
            raise ConnectionUnusable(f"the Google connection is {locked.status}")
        renew_at = locked.access_token_renew_at
        fresh = renew_at is not None and renew_at > timezone.now()
        if fresh and locked.access_token_encrypted and locked.access_token != rejected_token:
            _copy_tokens(locked, connection)
            return locked.access_token
        try:
            grant = refresh(locked.refresh_token)
        except GrantRevoked:
            revoked = True
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
            return grant.access_token
    # Outside the refresh's transaction: the row was re-read under the lock, the failed token was the latest.
    mark_needs_reconnect(connection, "Google refused the stored grant (invalid_grant): access was revoked.")
    assert revoked
    raise ConnectionUnusable("the Google grant was revoked")


def _copy_tokens(source: CalendarConnection, target: CalendarConnection) -> None:
    for name in (
        "access_token_encrypted",
        "refresh_token_encrypted",
        "access_token_expires_at",
        "access_token_renew_at",
        "status",
    ):
        setattr(target, name, getattr(source, name))


def _token_call(form: dict[str, str]) -> Grant:
    body = {**form, "client_id": settings.GOOGLE_CLIENT_ID, "client_secret": settings.GOOGLE_CLIENT_SECRET}
    try:
        response = http.request(
            "POST",
            settings.GOOGLE_TOKEN_URL,
            data=body,
            raise_for_status=False,
            configured_base_url=settings.GOOGLE_TOKEN_URL,
        )
    except http.HTTPError as exc:
        raise GoogleUnavailable(
            f"Google's token endpoint could not be reached: {type(exc).__name__}"
        ) from None
    answer = _json_object(response)
    if response.status_code == 200 and isinstance(answer.get("access_token"), str):
        return Grant(
            access_token=answer["access_token"],
            expires_in=int(answer.get("expires_in") or 3599),
            refresh_token=answer.get("refresh_token") or None,
            scope=str(answer.get("scope", "")),
            id_token=answer.get("id_token"),
        )
    error = str(answer.get("error", ""))
    if response.status_code == 400 and error == "invalid_grant":
        raise GrantRevoked(str(answer.get("error_description", "invalid_grant")))
    if response.status_code in http.RETRYABLE_STATUSES or response.status_code >= 500 or not error:
        raise GoogleUnavailable(
            f"Google's token endpoint answered {response.status_code}", http.retry_after_seconds(response)
        )
    # invalid_client, unauthorized_client, redirect_uri_mismatch ...: the installation's setup is wrong.
    raise http.PermanentHTTPError(f"Google's token endpoint refused the request: {error}", response=response)


def _json_object(response: Any) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
