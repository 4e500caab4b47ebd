"""Serve the emulator on 127.0.0.1 in a background thread, for tests anywhere in the project."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from emulator_kit import serving as kit

from .emulator import Emulator


class ControlClient(kit.ControlClient):
    """`/_control/*` over HTTP: the calls every emulator has (emulator_kit) and this one's own switches."""

    def settings(self, **settings: Any) -> dict[str, Any]:
        return dict(self.call("POST", "/settings", settings))

    def expire_tokens(self, email: str | None = None) -> int:
        return int(self.call("POST", "/tokens/expire", {"email": email} if email else {})["expired"])

    def revoke_grant(self, email: str, client_id: str) -> int:
        return int(self.call("POST", "/grants/revoke", {"email": email, "client_id": client_id})["revoked"])

    def invalidate_sync_tokens(self, calendar_id: str | None = None) -> list[str]:
        body = {"calendar_id": calendar_id} if calendar_id else {}
        return list(self.call("POST", "/sync_tokens/invalidate", body)["calendars"])

    def user_creates_event(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("POST", f"/calendars/{calendar_id}/events", body))

    def user_patches_event(self, calendar_id: str, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("PATCH", f"/calendars/{calendar_id}/events/{event_id}", body))

    def user_deletes_event(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        return dict(self.call("DELETE", f"/calendars/{calendar_id}/events/{event_id}"))

    def pushes(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/pushes")["pushes"])

    def wait_for_pushes(self, timeout: float = 5.0) -> bool:
        return bool(self.call("POST", "/pushes/wait", {"timeout": timeout})["idle"])

    def add_redirect_uri(self, client_id: str, uri: str) -> None:
        self.call("POST", f"/clients/{client_id}/redirect_uris", {"uri": uri})

    def advance_clock(self, seconds: float) -> str:
        return str(self.call("POST", "/clock/advance", {"seconds": seconds})["now"])


@dataclass
class RunningEmulator:
    base_url: str
    emulator: Emulator
    control: ControlClient

    @property
    def oauth_base_url(self) -> str:
        return f"{self.base_url}/accounts"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/oauth2/token"

    @property
    def revoke_url(self) -> str:
        return f"{self.base_url}/oauth2/revoke"

    @property
    def userinfo_url(self) -> str:
        return f"{self.base_url}/openidconnect/v1/userinfo"

    @property
    def calendar_api_base_url(self) -> str:
        return f"{self.base_url}/calendar/v3"


@contextmanager
def run_emulator(emulator: Emulator | None = None, port: int = 0) -> Iterator[RunningEmulator]:
    """Serve `emulator` (a fresh default-seeded one if None) on 127.0.0.1:`port` (0 picks a free port)."""
    emulator = emulator or Emulator()
    with kit.serving(emulator.wsgi_app, name="google-emulator", port=port) as base_url:
        control = ControlClient(base_url)
        try:
            yield RunningEmulator(base_url=base_url, emulator=emulator, control=control)
        finally:
            control.close()
