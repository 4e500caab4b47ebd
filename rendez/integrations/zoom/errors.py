"""What can go wrong talking to Zoom, each error saying whether trying again can help and when.

Messages are written for people and never carry a token: they may end up in an API response, a log line or
an email to a tenant admin.
"""

from __future__ import annotations


class ZoomError(Exception):
    """Base of every Zoom failure. `retryable`: the same call may succeed later (after `retry_after` s)."""

    retryable = False

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class ZoomUnavailable(ZoomError):
    """Network trouble, a timeout, a 5xx or a per-second 429: Zoom may well answer a little later."""

    retryable = True


class ZoomAPIError(ZoomError):
    """Zoom answered a REST call with an error body (`code`, `message`, `errors[]`, §3.6)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int | None = None,
        field_errors: dict[str, str] | None = None,
        tracking_id: str = "",
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, retry_after=retry_after)
        self.status = status
        self.code = code
        self.field_errors = field_errors or {}
        self.tracking_id = tracking_id
        self.retryable = retryable

    @property
    def is_not_found(self) -> bool:
        # 1001: no such user; 3001: no such meeting (or it has expired).
        return self.status == 404 or self.code in (1001, 3001)

    @property
    def is_token_rejected(self) -> bool:
        # Zoom documents 124 on 401 and, for some endpoints, on 400 (§1.12).
        return self.code == 124 and self.status in (400, 401)

    @property
    def is_missing_scope(self) -> bool:
        return self.code == 4711 or (self.code == 4700 and "scope" in self.message.lower())


class ZoomDailyCapReached(ZoomAPIError):
    """The host's 100 meeting creates/updates of this UTC day are spent; Zoom takes more after 00:00 UTC.

    Zoom says so only in the 429's body (§5.3), so `retry_after` is computed, not read from a header.
    """


class ZoomRegistrantCapReached(ZoomAPIError):
    """Zoom takes no more adds (3) or status changes (10) of this registrant on this meeting today; 429 with
    the limit in its message only. Retryable after 00:00 UTC; an add is never simply repeated (it counts)."""


class ZoomResponseError(ZoomError):
    """Zoom answered with a success status but a body we cannot read (truncated, HTML from a proxy, ...).

    Retryable: such answers come from trouble on the way, and the next call usually reads fine.
    """

    retryable = True


class OAuthGrantError(ZoomError):
    """`/oauth/token` refused the grant: `{"error", "reason"}` (§1.11). Never retryable as it is."""

    def __init__(self, error: str, reason: str, *, status: int) -> None:
        super().__init__(f"Zoom refused the authorization ({error}): {reason or 'no reason given'}")
        self.error = error
        self.reason = reason
        self.status = status

    @property
    def is_invalid_grant(self) -> bool:
        return self.error == "invalid_grant"

    @property
    def is_invalid_client(self) -> bool:
        return self.error == "invalid_client"


class ConnectionUnusable(ZoomError):
    """The connection needs reconnecting (or was removed): no call can succeed until a person acts."""
