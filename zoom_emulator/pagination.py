"""`next_page_token` handling: opaque tokens bound to the query that produced them, valid for 15 minutes."""

from __future__ import annotations

import secrets
import threading
from typing import TypeVar

from .errors import ZoomError

T = TypeVar("T")

INVALID_TOKEN_MESSAGE = "The next page token is invalid or expired."


class PageTokens:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, int, float]] = {}

    def page(
        self, items: list[T], query_key: str, token: str | None, page_size: int, now: float, ttl: float
    ) -> tuple[list[T], str]:
        """One page of `items` and the token for the next one ("" when this was the last page)."""
        offset = self._offset(query_key, token, now) if token else 0
        chunk = items[offset : offset + page_size]
        next_offset = offset + page_size
        if next_offset >= len(items):
            return chunk, ""
        next_token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[next_token] = (query_key, next_offset, now + ttl)
        return chunk, next_token

    def _offset(self, query_key: str, token: str, now: float) -> int:
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None or entry[0] != query_key or entry[2] <= now:
            raise ZoomError(400, 300, INVALID_TOKEN_MESSAGE)
        return entry[1]


def page_size_from(raw: str | None, default: int, maximum: int) -> int:
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1:
        raise ZoomError(400, 300, "Validation Failed.", [{"field": "page_size", "message": "Invalid field."}])
    return min(int(raw), maximum)
