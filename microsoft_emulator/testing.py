"""Serve the emulator on 127.0.0.1 in a background thread, for tests anywhere in the project."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx2
from werkzeug.serving import WSGIRequestHandler, make_server

from .emulator import Emulator


class QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class ControlClient:
    """A thin client for `/_control/*` over HTTP."""

    def __init__(self, base_url: str) -> None:
        self._http = httpx2.Client(base_url=f"{base_url}/_control", timeout=15.0)

    def close(self) -> None:
        self._http.close()

    def call(
        self,
        verb: str,
        endpoint: str,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        response = self._http.request(verb, endpoint, json=body, params=params)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self, seed: dict[str, Any] | None = None) -> None:
        self.call("POST", "/reset", {"seed": seed} if seed is not None else {})

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        params = {key: value for key, value in (("method", method), ("path", path)) if value}
        return list(self.call("GET", "/requests", params=params)["requests"])

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        return dict(self.call("POST", "/faults", settings))

    def clear_faults(self) -> None:
        self.call("DELETE", "/faults")

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

    def state(self) -> dict[str, Any]:
        return dict(self.call("GET", "/state"))

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
    server = make_server(
        "127.0.0.1", port, emulator.wsgi_app, threaded=True, request_handler=QuietRequestHandler
    )
    thread = threading.Thread(
        target=server.serve_forever, args=(0.02,), name="microsoft-emulator", daemon=True
    )
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    control = ControlClient(base_url)
    try:
        yield RunningEmulator(base_url=base_url, emulator=emulator, control=control)
    finally:
        control.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
