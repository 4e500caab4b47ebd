"""The `state` of a connect: signed, single-use, short-lived, bound to one tenant and staff member, with PKCE.

The browser carries only a signed nonce. The row it names (a provider's `models.ConnectState`) holds the
tenant, the staff member, who started it and the PKCE verifier; `consume` deletes it as it reads it, under a
lock, so a state works once even with two callbacks racing (RFC 6749 §10.12, RFC 9700 §4.7). A valid state
proves where the connect started, not who finished it: `may_finish` says who may act on the grant.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db import transaction
from django.utils import timezone

from rendez.integrations.oauth.models import ConnectState
from rendez.lib import vault
from rendez.scheduling.models import Staff
from rendez.tenants.models import Membership, Tenant

S = TypeVar("S", bound=ConnectState)


class StateRefused(Exception):  # noqa: N818 - reads as "the state was refused"
    """The callback's state is forged, expired, already used or bound elsewhere; the message says which."""


def pkce_pair() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge (RFC 7636 §4.1-4.2)."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class Started(Generic[S]):
    state: str  # for the authorize URL's `state`
    code_challenge: str
    row: S


@dataclass(frozen=True)
class ConnectStates(Generic[S]):
    """The states of one provider, kept in `model`. `label` names the provider in refusals; `row` are column
    values of this provider's rows where providers share one table (its states see only those rows)."""

    model: type[S]
    salt: str  # distinct per provider: a Zoom state is no Google state
    label: str
    lifetime: timedelta = timedelta(minutes=15)
    row: dict[str, str] = field(default_factory=dict)

    def begin(
        self,
        tenant: Tenant,
        staff: Staff | None = None,
        *,
        started_by_id: int | None = None,
        return_url: str = "",
        **fields: Any,
    ) -> Started[S]:
        """Record a connect in progress; `fields` fill the provider's own columns."""
        verifier, challenge = pkce_pair()
        self.forget_expired()  # Abandoned connects leave rows behind; each new one sweeps them.
        row = self.model._default_manager.create(
            nonce=secrets.token_urlsafe(32),
            tenant=tenant,
            staff=staff,
            code_verifier_encrypted=vault.encrypt(verifier),
            return_url=return_url,
            started_by_id=started_by_id,
            expires_at=timezone.now() + self.lifetime,
            **self.row,
            **fields,
        )
        claims = {"n": row.nonce, "t": tenant.pk, "s": staff.pk if staff else None}
        return Started(signing.dumps(claims, salt=self.salt, compress=True), challenge, row)

    def consume(self, state: str) -> S:
        """Validate and burn `state`; the row is returned (deleted, its `code_verifier` readable). Raises
        `StateRefused` with a reason a person can act on."""
        try:
            claims = signing.loads(state, salt=self.salt, max_age=self.lifetime)
        except signing.SignatureExpired:
            raise StateRefused(f"This {self.label} connection link has expired.") from None
        except signing.BadSignature:
            raise StateRefused(f"This {self.label} connection link is not valid.") from None
        with transaction.atomic():
            row = (
                # Only this row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
                self.model._default_manager.select_for_update(of=("self",))
                .select_related("tenant__plan", "staff")
                .filter(nonce=str(claims.get("n", "")), **self.row)
                .first()
            )
            if row is None:
                raise StateRefused(f"This {self.label} connection link was already used.")
            row.delete()
        if row.tenant_id != claims.get("t") or row.staff_id != claims.get("s"):
            raise StateRefused(f"This {self.label} connection link belongs to another account.")
        if row.expires_at <= timezone.now():
            raise StateRefused(f"This {self.label} connection link has expired.")
        return row

    def forget_expired(self) -> int:
        deleted, _ = self.model._default_manager.filter(expires_at__lte=timezone.now(), **self.row).delete()
        return deleted


def may_finish(user: Any, tenant: Tenant, staff: Staff | None, started_by_id: int | None) -> bool:
    """Whether the signed-in `user` may act on a grant for `tenant` (and `staff`): an admin of the tenant, the
    person who started the connect, or the staff member themself — while they belong to the tenant."""
    if not user.is_authenticated:
        return False
    membership = Membership.objects.filter(user=user, tenant=tenant, tenant__is_active=True).first()
    if membership is None:
        return False
    if membership.role == Membership.Role.ADMIN or started_by_id == user.pk:
        return True
    return staff is not None and staff.is_active and staff.user_id == user.pk
