"""What a calendar provider's client raises, shared by every provider (each subclasses these with its own
names): a passing trouble to wait out, a permanent refusal, a sync state the provider forgot."""

from __future__ import annotations


class ProviderError(Exception):
    def __init__(self, message: str, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class ProviderUnavailable(ProviderError):
    """Try again later (after `retry_after` seconds when the provider said)."""

    def __init__(
        self, message: str, status: int | None = None, code: str = "", retry_after: float | None = None
    ):
        super().__init__(message, status, code)
        self.retry_after = retry_after
