"""Google Calendar's own table: a connect in progress (the kit's ConnectState). Connections themselves are
the provider-neutral `calendars.CalendarConnection`."""

from __future__ import annotations

from rendez.integrations.oauth.models import ConnectState


class GoogleConnectState(ConnectState):
    """nonce, tenant, staff, PKCE verifier (encrypted), started_by, return_url, expiry: single-use."""

    def __str__(self) -> str:
        return f"Google connect of staff {self.staff_id}"
