"""Serve an emulator on 127.0.0.1 in a background thread, for tests anywhere in the project."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from emulator_kit import serving as kit

from .emulator import Emulator


class ControlClient(kit.ControlClient):
    """`/_control/*` over HTTP: the calls every emulator has (emulator_kit) and this one's own switches."""

    def expire_tokens(self) -> int:
        return int(self.call("POST", "/tokens/expire")["expired"])

    def trigger(self, event: str, **params: Any) -> dict[str, Any]:
        return dict(self.call("POST", "/webhooks/trigger", {"event": event, **params}))

    def deliveries(self, event: str | None = None) -> list[dict[str, Any]]:
        params = {"event": event} if event else {}
        return list(self.call("GET", "/webhooks", params=params)["deliveries"])

    def wait_for_webhooks(self, timeout: float = 5.0) -> bool:
        return bool(self.call("POST", "/webhooks/wait", {"timeout": timeout})["idle"])

    def add_redirect_uri(self, client_id: str, uri: str) -> None:
        self.call("POST", f"/apps/{client_id}/redirect_uris", {"uri": uri})

    def set_event_subscription(self, client_id: str, url: str, secret_token: str | None = None) -> None:
        self.call("PUT", f"/apps/{client_id}/event_subscription", {"url": url, "secret_token": secret_token})

    def set_user_settings(self, user_id: str, settings: dict[str, Any]) -> None:
        self.call("PATCH", f"/users/{user_id}/settings", settings)


@dataclass
class RunningEmulator:
    base_url: str
    emulator: Emulator
    control: ControlClient

    @property
    def api_base_url(self) -> str:
        return f"{self.base_url}/v2"


@contextmanager
def run_emulator(emulator: Emulator | None = None, port: int = 0) -> Iterator[RunningEmulator]:
    """Serve `emulator` (a fresh default-seeded one if None) on 127.0.0.1:`port` (0 picks a free port)."""
    emulator = emulator or Emulator()
    with kit.serving(emulator.wsgi_app, name="zoom-emulator", port=port) as base_url:
        control = ControlClient(base_url)
        try:
            yield RunningEmulator(base_url=base_url, emulator=emulator, control=control)
        finally:
            control.close()
