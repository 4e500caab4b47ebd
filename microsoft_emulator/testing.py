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

    def allow_http_notifications(self, allow: bool = True) -> None:
        self.call("POST", "/settings", {"allow_http_notification_urls": allow})

    def add_redirect_uri(self, client_id: str, uri: str) -> None:
        self.call("POST", f"/apps/{client_id}/redirect_uris", {"uri": uri})

    def expire_access_tokens(self) -> int:
        return int(self.call("POST", "/tokens/expire")["expired"])

    def expire_refresh_tokens(self, user_id: str | None = None) -> int:
        return int(self.call("POST", "/refresh_tokens/expire", {"user_id": user_id})["expired"])

    def revoke_grant(self, user_id: str, client_id: str | None = None) -> int:
        return int(
            self.call("POST", "/grants/revoke", {"user_id": user_id, "client_id": client_id})["revoked"]
        )

    def forget_delta_tokens(self) -> int:
        return int(self.call("POST", "/delta/forget")["forgotten"])

    def require_delta_resync(self) -> int:
        return int(self.call("POST", "/delta/resync")["marked"])

    def outlook_create(self, user_id: str, event: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("POST", f"/users/{user_id}/events", event))

    def outlook_update(self, event_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("PATCH", f"/events/{event_id}", changes))

    def outlook_delete(self, event_id: str) -> None:
        self.call("DELETE", f"/events/{event_id}")

    def lifecycle(self, subscription_id: str, event: str) -> dict[str, Any]:
        return dict(self.call("POST", f"/subscriptions/{subscription_id}/lifecycle", {"event": event}))

    def notifications(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/notifications")["deliveries"])

    def wait_for_notifications(self, timeout: float = 5.0) -> bool:
        return bool(self.call("POST", "/notifications/wait", {"timeout": timeout})["idle"])

    def advance_clock(self, seconds: float) -> None:
        self.call("POST", "/clock/advance", {"seconds": seconds})


@dataclass
class RunningEmulator:
    base_url: str
    emulator: Emulator
    control: ControlClient

    @property
    def login_base_url(self) -> str:
        """What MICROSOFT_LOGIN_BASE_URL points at."""
        return f"{self.base_url}/login"

    @property
    def graph_base_url(self) -> str:
        """What MICROSOFT_GRAPH_BASE_URL points at."""
        return f"{self.base_url}/graph/v1.0"


@contextmanager
def run_emulator(emulator: Emulator | None = None, port: int = 0) -> Iterator[RunningEmulator]:
    """Serve `emulator` (a fresh default-seeded one if None) on 127.0.0.1:`port` (0 picks a free port)."""
    emulator = emulator or Emulator()
    with kit.serving(emulator.wsgi_app, name="microsoft-emulator", port=port) as base_url:
        control = ControlClient(base_url)
        try:
            yield RunningEmulator(base_url=base_url, emulator=emulator, control=control)
        finally:
            control.close()
