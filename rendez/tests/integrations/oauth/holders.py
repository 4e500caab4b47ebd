"""A token holder of the fake provider, and what the kit's tests do with one."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from rendez.integrations.oauth import grants
from rendez.integrations.oauth.provider import OAuthProvider, TokenGrant
from rendez.integrations.oauth.reminders import Reminders
from rendez.integrations.oauth.state import pkce_pair
from rendez.integrations.oauth.tokens import TokenKeeper, store_grant
from rendez.integrations.zoom.models import Connection
from rendez.scheduling.tests.factories import make_staff
from rendez.tenants.models import Tenant
from rendez.tests.integrations.oauth.fake_provider import FakeProvider

# --- a token holder of the fake provider --------------------------------------------------------------------
# The kit has no table of its own; any model built on `models.TokenHolder` holds tokens. Zoom's `Connection`
# is the one this installation has: it stands in here, driven by a keeper that knows only the fake provider.


class Unusable(Exception):  # noqa: N818 - reads as "raise Unusable(...)"
    pass


REMINDERS = Reminders(job="fake.connection_notice", key_prefix="fake-connection")


class FakeTokens(TokenKeeper[Connection]):
    model = Connection

    def __init__(self, provider: OAuthProvider) -> None:
        self.provider = provider
        self.outcomes: list[str] = []

    def request_grant(self, locked: Connection) -> TokenGrant:
        return grants.refresh(self.provider, locked.refresh_token)

    def unusable(self, holder: Connection) -> Exception:
        return Unusable(holder.broken_reason or "Reconnect the fake provider.")

    def mark_needs_reconnect(self, locked: Connection, reason: str) -> None:
        REMINDERS.mark_needs_reconnect(locked, reason)

    def renewed(self, holder: Connection, outcome: str) -> None:
        self.outcomes.append(outcome)


def make_holder(fake: FakeProvider, tenant: Tenant, name: str = "Maria") -> Connection:
    """A holder whose tokens the fake provider has just granted (a finished connect)."""
    verifier, _ = pkce_pair()
    grant = grants.exchange_code(fake.provider(), fake.issue_code(verifier), verifier)
    holder = Connection(tenant=tenant, staff=make_staff(tenant, name), mode="staff_oauth")
    store_grant(holder, grant)
    holder.save()
    return holder


def expire_locally(holder: Connection) -> None:
    past = timezone.now() - timedelta(seconds=1)
    Connection.objects.filter(pk=holder.pk).update(access_token_expires_at=past, access_token_renew_at=past)
    holder.refresh_from_db()
