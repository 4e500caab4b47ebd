"""The `state` of a connect: signed, single-use, short-lived, bound to one tenant and staff member, with PKCE.

The browser carries only a signed nonce. The row it names holds the tenant, the staff member, who started it
and the PKCE verifier; the callback deletes it as it reads it, so a state works once (§1.9). A valid state
is not enough to connect: the grant then waits for a signed-in person of the tenant (confirmations.py).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone

from rendez.integrations.zoom.models import OAuthState
from rendez.lib import vault
from rendez.scheduling.models import Staff
from rendez.tenants.models import Tenant

# Zoom's authorization codes live five minutes; a person may take a few more to sign in to Zoom.
STATE_LIFETIME = timedelta(minutes=15)
SALT = "rendez.zoom.oauth-state"


class StateRefused(Exception):  # noqa: N818 - reads as "the state was refused"
    """The callback's state is forged, expired, already used or bound elsewhere; `message` says which."""


@dataclass(frozen=True)
class Connect:
    """What a valid state stands for."""

    tenant: Tenant
    staff: Staff | None
    mode: str
    code_verifier: str
    return_url: str
    # Set when reconnecting from an emailed link: only this Zoom user may complete it.
    expected_zoom_user_id: str = ""
    # The panel user who started it (None: the API or a reconnect link).
    started_by_id: int | None = None


def begin(
    tenant: Tenant,
    mode: str,
    staff: Staff | None = None,
    return_url: str = "",
    expected_zoom_user_id: str = "",
    started_by_id: int | None = None,
) -> tuple[str, str]:
    """Record a connect in progress; return its signed state and the PKCE S256 challenge."""
    verifier = secrets.token_urlsafe(64)
    forget_expired()  # Abandoned connects leave rows behind; each new one sweeps them.
    row = OAuthState.objects.create(
        nonce=secrets.token_urlsafe(32),
        tenant=tenant,
        staff=staff,
        mode=mode,
        code_verifier_encrypted=vault.encrypt(verifier),
        return_url=return_url,
        expected_zoom_user_id=expected_zoom_user_id,
        started_by_id=started_by_id,
        expires_at=timezone.now() + STATE_LIFETIME,
    )
    state = signing.dumps(
        {"n": row.nonce, "t": tenant.pk, "s": staff.pk if staff else None}, salt=SALT, compress=True
    )
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return state, challenge


def consume(state: str) -> Connect:
    """Validate and burn `state`. Raises `StateRefused` with a reason a person can act on."""
    try:
        claims = signing.loads(state, salt=SALT, max_age=STATE_LIFETIME)
    except signing.SignatureExpired:
        raise StateRefused("This Zoom connection link has expired.") from None
    except signing.BadSignature:
        raise StateRefused("This Zoom connection link is not valid.") from None
    with transaction.atomic():
        row = (
            # Only this row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the staff join.
            OAuthState.objects.select_for_update(of=("self",))
            .select_related("tenant__plan", "staff")
            .filter(nonce=str(claims.get("n", "")))
            .first()
        )
        if row is None:
            raise StateRefused("This Zoom connection link was already used.")
        row.delete()
    if row.tenant_id != claims.get("t") or row.staff_id != claims.get("s"):
        raise StateRefused("This Zoom connection link belongs to another account.")
    if row.expires_at <= timezone.now():
        raise StateRefused("This Zoom connection link has expired.")
    return Connect(
        row.tenant,
        row.staff,
        row.mode,
        vault.decrypt(row.code_verifier_encrypted),
        row.return_url,
        row.expected_zoom_user_id,
        row.started_by_id,
    )


def forget_expired() -> int:
    deleted, _ = OAuthState.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
