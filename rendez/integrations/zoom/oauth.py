"""Zoom's OAuth endpoints (§1, §2) through the shared kit (rendez/integrations/oauth/): the authorize URL, the
token grants (authorization code, refresh, Zoom's own account_credentials), and revocation.

Every call authenticates the client with HTTP Basic and sends its parameters as a form body, never in the
query string (Zoom refuses token values in URLs since 2023, §1.12). The kit's errors become Zoom's here, so
the rest of the integration keeps catching `ZoomError`s.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

from rendez.integrations.oauth import grants
from rendez.integrations.oauth.provider import (
    ClientAuth,
    ErrorBody,
    GrantRefused,
    OAuthProvider,
    ProviderUnavailable,
    UnreadableAnswer,
)
from rendez.integrations.zoom import conf
from rendez.integrations.zoom.errors import OAuthGrantError, ZoomResponseError, ZoomUnavailable
from rendez.integrations.zoom.schemas import TokenGrant


def _already_revoked(status: int, error: ErrorBody) -> bool:
    # Zoom answers a token it no longer knows with 400/401 and the reason "Invalid Token!" (§1.11).
    return status in (400, 401) and error.reason.lower().startswith("invalid token")


def provider() -> OAuthProvider:
    """The platform's Zoom OAuth app, as configured now."""
    base = conf.oauth_base_url()
    client_id, client_secret = conf.client_credentials()
    return OAuthProvider(
        name="zoom",
        label="Zoom",
        authorize_url=f"{base}/oauth/authorize",
        token_url=f"{base}/oauth/token",
        revoke_url=f"{base}/oauth/revoke",
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=conf.redirect_uri(),
        client_auth=ClientAuth.BASIC,
        rotates_refresh_token=True,
        grant_model=TokenGrant,
        reason_field="reason",
        request_id_header="x-zm-trackingid",
        already_revoked=_already_revoked,
    )


def authorize_url(state: str, code_challenge: str) -> str:
    return grants.authorize_url(provider(), state, code_challenge)


def exchange_code(code: str, code_verifier: str) -> TokenGrant:
    with _as_zoom_errors():
        return _zoom_grant(grants.exchange_code(provider(), code, code_verifier))


def refresh(refresh_token: str) -> TokenGrant:
    with _as_zoom_errors():
        return _zoom_grant(grants.refresh(provider(), refresh_token))


def account_credentials(account_id: str, client_id: str, client_secret: str) -> TokenGrant:
    form = {"grant_type": "account_credentials", "account_id": account_id}
    with _as_zoom_errors():
        return _zoom_grant(grants.request_grant(provider(), form, (client_id, client_secret)))


def revoke(token: str, credentials: tuple[str, str] | None = None) -> None:
    """Revoke `token` at Zoom. A token Zoom no longer knows counts as revoked."""
    with _as_zoom_errors():
        grants.revoke(provider(), token, credentials)


def _zoom_grant(grant: object) -> TokenGrant:
    return cast(TokenGrant, grant)  # parsed as `provider().grant_model`


@contextmanager
def _as_zoom_errors() -> Iterator[None]:
    try:
        yield
    except GrantRefused as exc:
        raise OAuthGrantError(exc.error, exc.reason, status=exc.status) from None
    except UnreadableAnswer as exc:
        raise ZoomResponseError(exc.message) from None
    except ProviderUnavailable as exc:
        raise ZoomUnavailable(exc.message) from None
