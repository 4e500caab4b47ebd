"""Login throttling: five failed attempts for one name or from one address within 15 minutes lock that name
or address out for 15 minutes. Counted in Django's cache, so every process sharing the cache agrees."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60


def _keys(kind: str, value: str) -> tuple[str, str]:
    # Hashed: the cache key must not carry arbitrary user input (length, spaces).
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}", f"login-lock:{kind}:{digest}"


def _subjects(identifier: str, ip: str) -> list[tuple[str, str]]:
    return [("name", identifier), ("ip", ip)]


def is_locked(identifier: str, ip: str) -> bool:
    return any(cache.get(_keys(kind, value)[1]) for kind, value in _subjects(identifier, ip) if value)


def record_failure(identifier: str, ip: str) -> None:
    for kind, value in _subjects(identifier, ip):
        if not value:
            continue
        count_key, lock_key = _keys(kind, value)
        cache.add(count_key, 0, WINDOW_SECONDS)
        try:
            failures = cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.set(count_key, 1, WINDOW_SECONDS)
            failures = 1
        if failures >= MAX_FAILURES:
            cache.set(lock_key, True, LOCK_SECONDS)
            cache.delete(count_key)


def record_success(identifier: str) -> None:
    cache.delete(_keys("name", identifier)[0])


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")
