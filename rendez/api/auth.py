"""Bearer API keys: each key belongs to one tenant, and every query of the API is scoped by it.

A key found valid is remembered by this process for `API_KEY_CACHE_SECONDS` (5 s by default): an API call then
costs no query to say whose it is. Revoking a key, suspending a tenant or changing a plan forgets every
remembered key of this process at once; other processes notice within that bound, so a revoked key may still
work for up to 5 s on another web worker (docs/booking.md).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from ninja.security import HttpBearer

from rendez.tenants.models import ApiKey, Plan, Tenant

DEFAULT_CACHE_SECONDS = 5.0
# Enough for every key a busy installation uses; the least recently used one goes first beyond it.
MAX_CACHED_KEYS = 4096


class KeyCache:
    """Valid keys by digest (never the key itself), each until its expiry on the monotonic clock (`clock`,
    replaceable so tests move time instead of sleeping)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._keys: OrderedDict[str, tuple[float, ApiKey]] = OrderedDict()
        self._lock = threading.Lock()
        self.clock = clock

    def get(self, digest: str) -> ApiKey | None:
        with self._lock:
            entry = self._keys.get(digest)
            if entry is None or entry[0] <= self.clock():
                return None
            self._keys.move_to_end(digest)
            return entry[1]

    def put(self, digest: str, key: ApiKey, seconds: float) -> None:
        with self._lock:
            self._keys[digest] = (self.clock() + seconds, key)
            self._keys.move_to_end(digest)
            while len(self._keys) > MAX_CACHED_KEYS:
                self._keys.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()


key_cache = KeyCache()


def cache_seconds() -> float:
    return float(getattr(settings, "API_KEY_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


class ApiKeyAuth(HttpBearer):
    openapi_description = "A tenant API key: `Authorization: Bearer rdz_...`"

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        key = key_cache.get(digest)
        if key is None:
            key = ApiKey.authenticate(token)
            if key is not None and cache_seconds() > 0:
                key_cache.put(digest, key, cache_seconds())
        return key


def tenant_of(request: HttpRequest) -> Tenant:
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    return key.tenant


def _forget_keys(sender: Any, **kwargs: Any) -> None:
    # Such changes are rare and any key may be affected (a plan is shared by tenants): forget them all.
    key_cache.clear()


for _model in (ApiKey, Tenant, Plan):
    post_save.connect(_forget_keys, sender=_model, dispatch_uid=f"api-keys-forget-{_model.__name__}")
    post_delete.connect(_forget_keys, sender=_model, dispatch_uid=f"api-keys-forget-{_model.__name__}-delete")
