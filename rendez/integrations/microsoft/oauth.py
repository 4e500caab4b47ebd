"""Microsoft's identity platform (v2.0) as an OAuth kit provider: the secret in the form body, refresh tokens
that rotate (every refresh answers a new one; store it, drop the old), no revocation endpoint.

Built per call from settings (tests point them at the emulator). `common`: work, school and personal accounts.
"""

from __future__ import annotations

from django.conf import settings

from rendez.integrations.oauth import grants
from rendez.integrations.oauth.provider import ClientAuth, OAuthProvider, TokenGrant

# offline_access: a refresh token; Calendars.ReadWrite: busy times and appointments; User.Read: /me.
SCOPES = ("openid", "email", "profile", "offline_access", "User.Read", "Calendars.ReadWrite")
CALENDAR_SCOPE = "Calendars.ReadWrite"


class MicrosoftGrant(TokenGrant):
    id_token: str | None = None


def redirect_uri() -> str:
    return f"{settings.BASE_URL}/integrations/microsoft/callback"


def provider() -> OAuthProvider:
    base = f"{settings.MICROSOFT_LOGIN_BASE_URL}/common/oauth2/v2.0"
    return OAuthProvider(
        name="microsoft",
        label="Microsoft",
        authorize_url=f"{base}/authorize",
        token_url=f"{base}/token",
        client_id=settings.MICROSOFT_CLIENT_ID,
        client_secret=settings.MICROSOFT_CLIENT_SECRET,
        redirect_uri=redirect_uri(),
        revoke_url="",
        client_auth=ClientAuth.BODY,
        scopes=SCOPES,
        authorize_params={"response_mode": "query"},
        rotates_refresh_token=True,
        grant_model=MicrosoftGrant,
        request_id_header="request-id",
    )


def exchange_code(code: str, code_verifier: str) -> MicrosoftGrant:
    grant = grants.exchange_code(provider(), code, code_verifier)
    assert isinstance(grant, MicrosoftGrant)
    return grant
