"""Abstract fields a provider's models inherit; the provider's app owns the tables and migrations.

`TokenHolder`: one authorization to act at a provider, its tokens encrypted at rest (rendez/lib/vault.py), its
health (`status`, why and since when it broke). `tokens.TokenKeeper` and `reminders.Reminders` work on any
model built on it. `ConnectState`: a connect in progress (`state.ConnectStates`).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models

from rendez.lib import vault
from rendez.scheduling.models import Staff
from rendez.tenants.models import Tenant

# The fields a renewal writes (besides `updated_at`).
TOKEN_FIELDS = (
    "access_token_encrypted",
    "refresh_token_encrypted",
    "access_token_expires_at",
    "access_token_renew_at",
)


class TokenHolder(models.Model):
    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED)
    access_token_encrypted = models.TextField(blank=True)
    refresh_token_encrypted = models.TextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    # When to stop reusing the access token: shortly before it expires (tokens.py).
    access_token_renew_at = models.DateTimeField(null=True, blank=True)
    # Why and since when it needs reconnecting; reminders are counted from `broken_at`.
    broken_reason = models.TextField(blank=True)
    broken_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.CONNECTED

    # Plain values exist only in memory, for the length of one call.
    @property
    def access_token(self) -> str:
        return vault.decrypt(self.access_token_encrypted)

    @property
    def refresh_token(self) -> str:
        return vault.decrypt(self.refresh_token_encrypted)

    def set_tokens(
        self,
        access_token: str,
        refresh_token: str | None,
        expires_at: datetime | None,
        renew_at: datetime | None,
    ) -> None:
        """Put a grant's tokens on the row (not saved). Without a refresh token the stored one stays."""
        self.access_token_encrypted = vault.encrypt(access_token)
        if refresh_token is not None:
            self.refresh_token_encrypted = vault.encrypt(refresh_token)
        self.access_token_expires_at = expires_at
        self.access_token_renew_at = renew_at

    def forget_tokens(self) -> None:
        self.access_token_encrypted = self.refresh_token_encrypted = ""
        self.access_token_expires_at = self.access_token_renew_at = None


class ConnectState(models.Model):
    """A connect in progress. The browser carries only this row's nonce, signed; the row makes the state
    single-use and holds the PKCE verifier, so nothing secret travels through the browser."""

    nonce = models.CharField(max_length=64, unique=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code_verifier_encrypted = models.TextField()
    # Where the "back" link of the result page goes.
    return_url = models.CharField(max_length=500, blank=True)
    # The panel user who started it; empty when it started through the API or a reconnect link.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        abstract = True

    @property
    def code_verifier(self) -> str:
        return vault.decrypt(self.code_verifier_encrypted)
