"""Magic sign-in links: signed, bound to one tenant and one email, good for 30 minutes and for one use.

Single use is recorded in the database (rendez/web/attempts.py), in one statement, so a link is spent for
every web process at once; the record lives as long as the link could.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core import signing

from rendez.tenants.models import Tenant
from rendez.web import attempts

SALT = "rendez.web.customer.sign-in"
LIFETIME = timedelta(minutes=30)
SESSION_KEY = "rendez.customer"


def normalized(email: str) -> str:
    return email.strip().lower()


def issue(tenant: Tenant, email: str) -> str:
    # The nonce makes every link distinct, so using one never spends another.
    payload = {"t": tenant.pk, "e": normalized(email), "n": secrets.token_urlsafe(8)}
    return signing.dumps(payload, salt=SALT, compress=True)


def email_of(tenant: Tenant, token: str) -> str | None:
    """The email a live link of `tenant` was issued for, or None (forged, expired, another tenant's)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=LIFETIME)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("t") != tenant.pk or not payload.get("e"):
        return None
    return str(payload["e"])


def spend(token: str) -> bool:
    """Marks the link used; False when it already was."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return attempts.add(attempts.key("sign-in-used", digest), LIFETIME, below=1) is not None
