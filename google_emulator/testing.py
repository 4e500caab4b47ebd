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
        self._http = httpx2.Client(base_url=f"{base_url}/_control", timeout=10.0)

    def close(self) -> None:
        self._http.close()

    def _call(
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
        self._call("POST", "/reset", {"seed": seed} if seed is not None else {})

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        params = {key: value for key, value in (("method", method), ("path", path)) if value}
        return list(self._call("GET", "/requests", params=params)["requests"])

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        return dict(self._call("POST", "/faults", settings))

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def settings(self, **settings: Any) -> dict[str, Any]:
        return dict(self._call("POST", "/settings", settings))

    def expire_tokens(self, email: str | None = None) -> int:
        return int(self._call("POST", "/tokens/expire", {"email": email} if email else {})["expired"])

    def revoke_grant(self, email: str, client_id: str) -> int:
        return int(self._call("POST", "/grants/revoke", {"email": email, "client_id": client_id})["revoked"])

    def invalidate_sync_tokens(self, calendar_id: str | None = None) -> list[str]:
        body = {"calendar_id": calendar_id} if calendar_id else {}
        return list(self._call("POST", "/sync_tokens/invalidate", body)["calendars"])

    def user_creates_event(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call("POST", f"/calendars/{calendar_id}/events", body))

    def user_patches_event(self, calendar_id: str, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call("PATCH", f"/calendars/{calendar_id}/events/{event_id}", body))

    def user_deletes_event(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        return dict(self._call("DELETE", f"/calendars/{calendar_id}/events/{event_id}"))

    def pushes(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/pushes")["pushes"])

    def wait_for_pushes(self, timeout: float = 5.0) -> bool:
        return bool(self._call("POST", "/pushes/wait", {"timeout": timeout})["idle"])

    def add_redirect_uri(self, client_id: str, uri: str) -> None:
        self._call("POST", f"/clients/{client_id}/redirect_uris", {"uri": uri})

    def state(self) -> dict[str, Any]:
        return dict(self._call("GET", "/state"))

    def advance_clock(self, seconds: float) -> str:
        return str(self._call("POST", "/clock/advance", {"seconds": seconds})["now"])


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
    server = make_server(
        "127.0.0.1", port, emulator.wsgi_app, threaded=True, request_handler=QuietRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), name="google-emulator", daemon=True)
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
