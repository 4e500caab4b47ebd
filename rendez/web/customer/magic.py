"""Magic sign-in links: signed, bound to one tenant and one email, good for 30 minutes and for one use.

Single use is recorded in Django's cache with `cache.add`, which is atomic; with a per-process cache (the
default LocMemCache) a link may be used once per process, and the 30-minute expiry still bounds it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core import signing
from django.core.cache import cache

from rendez.tenants.models import Tenant

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
    return bool(cache.add(f"rendez:sign-in-used:{digest}", 1, timeout=int(LIFETIME.total_seconds())))


def within_limit(key: str, limit: int, window: timedelta) -> bool:
    """Counts one request against `key`; False once more than `limit` arrived within `window`."""
    cache_key = f"rendez:throttle:{key}"
    cache.add(cache_key, 0, timeout=int(window.total_seconds()))
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=int(window.total_seconds()))
        count = 1
    return count <= limit
