"""What differs from one OAuth provider to the next, as data: endpoints, client authentication, error reading.

    ZOOM = OAuthProvider(
        name="zoom", label="Zoom", authorize_url=..., token_url=..., revoke_url=...,
        client_id=..., client_secret=..., client_auth=ClientAuth.BASIC, reason_field="reason",
    )

Build one per call from settings (tests change settings), never at import time.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field


class ClientAuth(enum.Enum):
    """How the client proves itself at the token endpoint (RFC 6749 §2.3.1)."""

    BASIC = "basic"  # HTTP Basic: Zoom
    BODY = "body"  # client_id and client_secret in the form body: Google, Microsoft


class TokenGrant(BaseModel):
    """A token endpoint's successful answer (RFC 6749 §5.1). Providers add fields by subclassing."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    access_token: str = Field(min_length=1)
    token_type: str = "bearer"
    # Absent when the provider keeps the refresh token (Google) or issues none (client credentials).
    refresh_token: str | None = None
    expires_in: int = Field(gt=0)
    scope: str = ""


@dataclass(frozen=True)
class ErrorBody:
    """An OAuth error answer: `error` (RFC 6749 §5.2's name) and the provider's human-readable reason."""

    error: str = ""
    reason: str = ""


def rfc7009_already_revoked(status: int, error: ErrorBody) -> bool:
    # RFC 7009 answers 200 for an unknown token; Google answers 400 `invalid_token` instead.
    return error.error == "invalid_token"


@dataclass(frozen=True)
class OAuthProvider:
    name: str  # "zoom", "google", "microsoft": logger `rendez.<name>`, job payloads, registry key
    label: str  # "Zoom": what people read in messages
    authorize_url: str
    token_url: str
    client_id: str
    client_secret: str
    redirect_uri: str
    revoke_url: str = ""  # empty: the provider has no revocation endpoint (Microsoft)
    client_auth: ClientAuth = ClientAuth.BODY
    scopes: tuple[str, ...] = ()  # sent space-separated as `scope`; empty: the app's registered scopes
    # Extra authorize parameters, e.g. Google's {"access_type": "offline", "prompt": "consent"}.
    authorize_params: dict[str, str] = field(default_factory=dict)
    # Only the latest refresh token works (Zoom, Microsoft): a refresh answer without one is unusable.
    rotates_refresh_token: bool = False
    grant_model: type[TokenGrant] = TokenGrant
    reason_field: str = "error_description"  # Zoom says "reason"
    request_id_header: str = ""  # logged with each call: Zoom's x-zm-trackingid, Microsoft's request-id
    already_revoked: Callable[[int, ErrorBody], bool] = rfc7009_already_revoked

    @property
    def credentials(self) -> tuple[str, str]:
        return self.client_id, self.client_secret


class OAuthError(Exception):
    """Base of the kit's failures; `retryable`: the same call may succeed later. Never holds a token."""

    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProviderUnavailable(OAuthError):
    """The network, a 5xx, a 429, or a 4xx that is not the token endpoint speaking: try again later."""

    retryable = True


class UnreadableAnswer(OAuthError):
    """A success status with a body that is no grant (truncated, a proxy's HTML): usually fine next time."""

    retryable = True

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class GrantRefused(OAuthError):
    """The token endpoint refused: `error` says why (`invalid_grant`, `invalid_client`...). Not retryable."""

    def __init__(self, error: str, reason: str, *, status: int, label: str = "The provider") -> None:
        super().__init__(f"{label} refused the authorization ({error}): {reason or 'no reason given'}")
        self.error, self.reason, self.status = error, reason, status

    @property
    def is_invalid_grant(self) -> bool:
        """The grant is dead (revoked, expired, or rotated away): only a new authorization helps."""
        return self.error == "invalid_grant"

    @property
    def is_invalid_client(self) -> bool:
        return self.error == "invalid_client"
