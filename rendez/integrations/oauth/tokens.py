"""The one component that hands out a valid access token for a token holder, whatever the provider.

Refresh tokens may rotate (only the latest works: Zoom, Microsoft) and any number of web and worker processes
may need a token at the same moment. So a token is reused until shortly before it expires, and renewed under
a row lock: lock, re-read, renew only if still needed, store the new pair, commit, then use it. Whoever waits
on the lock finds the fresh token on re-reading and makes no request of its own.

A dead grant (`invalid_grant`) is believed only after re-reading the row under the lock: the refresh token
that failed was then the latest one stored, so no other process had rotated it. The holder then needs
reconnecting, recorded in the same transaction, and the error is raised after the commit.

A provider subclasses `TokenKeeper` and fills in what is its own:

    class GoogleTokens(TokenKeeper[CalendarConnection]):
        model = CalendarConnection
        def request_grant(self, locked): return grants.refresh(google.provider(), locked.refresh_token)
        def unusable(self, holder): return CalendarUnusable(holder.broken_reason or "Reconnect Google.")
        def mark_needs_reconnect(self, locked, reason): REMINDERS.mark_needs_reconnect(locked, reason)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Generic, TypeVar

from django.db import transaction
from django.utils import timezone

from rendez.integrations.oauth.models import TOKEN_FIELDS, TokenHolder
from rendez.integrations.oauth.provider import GrantRefused, TokenGrant

H = TypeVar("H", bound=TokenHolder)

# Stop using a token 5 minutes before it expires, or a tenth of its life if it is shorter.
RENEW_MARGIN = timedelta(minutes=5)
# What a renewal copies from the locked row to the caller's instance.
HOLDER_STATE = ("status", "broken_reason", "broken_at", *TOKEN_FIELDS)


def renewal_times(expires_in: int, now: datetime) -> tuple[datetime, datetime]:
    """(expires_at, renew_at) of a token granted `expires_in` seconds of life at `now`."""
    life = timedelta(seconds=expires_in)
    return now + life, now + life - min(RENEW_MARGIN, life / 10)


def store_grant(holder: TokenHolder, grant: TokenGrant, now: datetime | None = None) -> None:
    """Put a fresh grant on `holder` (not saved). A grant without a refresh token keeps the stored one."""
    expires_at, renew_at = renewal_times(grant.expires_in, now or timezone.now())
    holder.set_tokens(grant.access_token, grant.refresh_token, expires_at, renew_at)


class TokenKeeper(Generic[H]):
    """Hands out access tokens of one provider's holders. Override the four hooks marked below."""

    model: type[H]

    # --- hooks ---

    def request_grant(self, locked: H) -> TokenGrant:
        """Ask the provider for a fresh grant for `locked` (usually `grants.refresh`)."""
        raise NotImplementedError

    def unusable(self, holder: H) -> Exception:
        """The error to raise when `holder` needs reconnecting (the provider's "connection unusable")."""
        raise NotImplementedError

    def mark_needs_reconnect(self, locked: H, reason: str) -> None:
        """Record the breakage on the locked row and schedule the notices (`reminders.Reminders`)."""
        raise NotImplementedError

    def dead_grant_reason(self, locked: H, error: Exception) -> str | None:
        """Why `error` means only a new authorization helps, for people; None when it does not (re-raised)."""
        if isinstance(error, GrantRefused) and error.is_invalid_grant:
            return f"The authorization is no longer accepted ({error.reason or error.error})."
        return None

    def renewed(self, holder: H, outcome: str) -> None:
        """Called after each renewal, `outcome` "renewed" or "rejected": for logs and metrics."""

    # --- the kit ---

    def access_token(self, holder: H) -> str:
        """A valid access token for `holder`, renewed first if it is (nearly) expired. Raises `unusable()`
        when it needs reconnecting; the provider's outage error passes through (nothing was changed)."""
        if not holder.is_usable:
            raise self.unusable(holder)
        if not needs_renewal(holder, timezone.now()):
            return holder.access_token
        return self._renew(holder, rejected_token=None)

    def after_rejection(self, holder: H, rejected_token: str) -> str:
        """The provider refused `rejected_token` (401): a token to retry with, once. When another process
        renewed already, its token is used and nothing is requested."""
        return self._renew(holder, rejected_token=rejected_token)

    def _renew(self, holder: H, rejected_token: str | None) -> str:
        broken = False
        with transaction.atomic():
            locked = self.model._default_manager.select_for_update().get(pk=holder.pk)
            if not locked.is_usable:
                _copy_state(locked, holder)
                raise self.unusable(locked)
            stale = needs_renewal(locked, timezone.now())
            if not stale and (rejected_token is None or locked.access_token != rejected_token):
                _copy_state(locked, holder)
                return locked.access_token
            try:
                grant = self.request_grant(locked)
            except Exception as exc:
                reason = self.dead_grant_reason(locked, exc)
                if reason is None:
                    raise
                broken = True
                self.mark_needs_reconnect(locked, reason)
            else:
                store_grant(locked, grant)
                locked.save(update_fields=[*TOKEN_FIELDS, "updated_at"])
            _copy_state(locked, holder)
        if broken:
            self.renewed(holder, "rejected")
            # Raised after the commit: the status change must outlive this failure.
            raise self.unusable(holder) from None
        self.renewed(holder, "renewed")
        return holder.access_token


def needs_renewal(holder: TokenHolder, now: datetime) -> bool:
    renew_at = holder.access_token_renew_at
    return not holder.access_token_encrypted or renew_at is None or renew_at <= now


def _copy_state(source: TokenHolder, target: TokenHolder) -> None:
    for field in HOLDER_STATE:
        setattr(target, field, getattr(source, field))
