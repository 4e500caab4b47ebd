"""Secrets at rest (channel credentials, OAuth tokens, Server-to-Server client secrets).

`MultiFernet` over `settings.ENCRYPTION_KEYS`: the first key encrypts, every key decrypts, so keys rotate by
putting a new one first. It fails closed: no keys, or a value no key can open, is an error, never plain text.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):  # noqa: N818 - a state, not a failure of this module
    """A stored secret that none of the configured keys can decrypt (a key was removed too early)."""


def _fernet() -> MultiFernet:
    keys = [key for key in getattr(settings, "ENCRYPTION_KEYS", []) if key]
    if not keys:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS (RENDEZ_ENCRYPTION_KEYS) is empty: secrets cannot be stored"
        )
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "a stored secret cannot be decrypted with the configured ENCRYPTION_KEYS"
        ) from None


def reencrypt(token: str) -> str:
    """`token` encrypted again with the first (newest) key, whichever configured key it was written with."""
    if not token:
        return ""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "a stored secret cannot be decrypted with the configured ENCRYPTION_KEYS"
        ) from None
