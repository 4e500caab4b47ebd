"""The `state` of a Zoom connect: the shared `ConnectStates` (rendez/integrations/oauth/state.py: signed,
single-use, short-lived, bound to one tenant and staff member, with PKCE) kept in Zoom's `OAuthState`.

A valid state is not enough to connect: the grant then waits for a signed-in person of the tenant
(confirmations.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rendez.integrations.oauth.state import ConnectStates, StateRefused
from rendez.integrations.zoom.models import OAuthState
from rendez.scheduling.models import Staff
from rendez.tenants.models import Tenant

__all__ = ["STATE_LIFETIME", "Connect", "StateRefused", "begin", "consume", "forget_expired"]

# Zoom's authorization codes live five minutes; a person may take a few more to sign in to Zoom.
STATE_LIFETIME = timedelta(minutes=15)
SALT = "rendez.zoom.oauth-state"
STATES = ConnectStates(OAuthState, salt=SALT, label="Zoom", lifetime=STATE_LIFETIME)


@dataclass(frozen=True)
class Connect:
    """What a valid state stands for."""

    tenant: Tenant
    staff: Staff | None
    mode: str
    code_verifier: str
    return_url: str
    # Set when reconnecting from an emailed link: only this Zoom user may complete it.
    expected_zoom_user_id: str = ""
    # The panel user who started it (None: the API or a reconnect link).
    started_by_id: int | None = None


def begin(
    tenant: Tenant,
    mode: str,
    staff: Staff | None = None,
    return_url: str = "",
    expected_zoom_user_id: str = "",
    started_by_id: int | None = None,
) -> tuple[str, str]:
    """Record a connect in progress; return its signed state and the PKCE S256 challenge."""
    started = STATES.begin(
        tenant,
        staff,
        started_by_id=started_by_id,
        return_url=return_url,
        mode=mode,
        expected_zoom_user_id=expected_zoom_user_id,
    )
    return started.state, started.code_challenge


def consume(state: str) -> Connect:
    """Validate and burn `state`. Raises `StateRefused` with a reason a person can act on."""
    row = STATES.consume(state)
    return Connect(
        row.tenant,
        row.staff,
        row.mode,
        row.code_verifier,
        row.return_url,
        row.expected_zoom_user_id,
        row.started_by_id,
    )


def forget_expired() -> int:
    return STATES.forget_expired()
