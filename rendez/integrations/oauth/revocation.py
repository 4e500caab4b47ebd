"""Revoking in the background: a disconnect never waits for (or fails with) the provider's revocation.

The job payload holds the token encrypted, as the database did. A provider makes itself known once, at import
of its handlers module (`register("google", google_provider)`); the factory builds the `OAuthProvider` from
settings when the job runs.

    revocation.revoke_later("google", connection.refresh_token, tenant_id=connection.tenant_id)
"""

from __future__ import annotations

from collections.abc import Callable

from rendez import jobs
from rendez.integrations.oauth import grants
from rendez.integrations.oauth.provider import GrantRefused, OAuthError, OAuthProvider
from rendez.lib import vault

REVOKE_JOB = "oauth.revoke"

_providers: dict[str, Callable[[], OAuthProvider]] = {}


def register(name: str, factory: Callable[[], OAuthProvider]) -> None:
    _providers[name] = factory


class RevokePayload(jobs.Payload):
    provider: str
    token: str  # encrypted
    # Another client than the provider's app (e.g. a tenant's own app); the secret encrypted.
    client_id: str = ""
    client_secret: str = ""


def revoke_later(
    provider_name: str,
    token: str,
    *,
    credentials: tuple[str, str] | None = None,
    tenant_id: int | None = None,
) -> None:
    """Enqueue the revocation of `token` in the caller's transaction (nothing when the token is empty)."""
    if not token:
        return
    app = {"client_id": credentials[0], "client_secret": vault.encrypt(credentials[1])} if credentials else {}
    jobs.enqueue(
        REVOKE_JOB,
        RevokePayload(provider=provider_name, token=vault.encrypt(token), **app),
        tenant_id=tenant_id,
    )


def revoke_now(provider: OAuthProvider, token: str, credentials: tuple[str, str] | None = None) -> None:
    """Revoke inside a job: an outage retries the job; a refusal (the app's credentials changed) ends it,
    since nothing more can be done from here."""
    try:
        grants.revoke(provider, token, credentials)
    except GrantRefused as exc:
        raise jobs.PermanentError(exc.message) from None
    except OAuthError as exc:
        raise jobs.Retry(reason=exc.message) from None


@jobs.handler(REVOKE_JOB, payload=RevokePayload, max_attempts=10)
def revoke(data: RevokePayload, job: jobs.Job) -> None:
    factory = _providers.get(data.provider)
    if factory is None:
        raise jobs.PermanentError(f"No OAuth provider {data.provider!r} is registered to revoke with.")
    credentials = (data.client_id, vault.decrypt(data.client_secret)) if data.client_id else None
    revoke_now(factory(), vault.decrypt(data.token), credentials)
