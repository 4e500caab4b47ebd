"""Serve an emulator on 127.0.0.1 in a background thread, for tests anywhere in the project."""

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
    """Keeps werkzeug's per-request access log out of test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class ControlClient:
    """A thin client for `/_control/*` over HTTP."""

    def __init__(self, base_url: str) -> None:
        self._base_url = f"{base_url}/_control"
        self._http: httpx2.Client | None = None

    @property
    def _client(self) -> httpx2.Client:
        # Created on first use: many tests never touch the control API, and a client costs an SSL context.
        if self._http is None:
            self._http = httpx2.Client(base_url=self._base_url, timeout=10.0)
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def _call(
        self,
        verb: str,
        endpoint: str,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        response = self._client.request(verb, endpoint, json=body, params=params)
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

    def expire_tokens(self) -> int:
        return int(self._call("POST", "/tokens/expire")["expired"])

    def trigger(self, event: str, **params: Any) -> dict[str, Any]:
        return dict(self._call("POST", "/webhooks/trigger", {"event": event, **params}))

    def deliveries(self, event: str | None = None) -> list[dict[str, Any]]:
        params = {"event": event} if event else {}
        return list(self._call("GET", "/webhooks", params=params)["deliveries"])

    def wait_for_webhooks(self, timeout: float = 5.0) -> bool:
        return bool(self._call("POST", "/webhooks/wait", {"timeout": timeout})["idle"])

    def add_redirect_uri(self, client_id: str, uri: str) -> None:
        self._call("POST", f"/apps/{client_id}/redirect_uris", {"uri": uri})

    def set_event_subscription(self, client_id: str, url: str, secret_token: str | None = None) -> None:
        self._call("PUT", f"/apps/{client_id}/event_subscription", {"url": url, "secret_token": secret_token})

    def set_user_settings(self, user_id: str, settings: dict[str, Any]) -> None:
        self._call("PATCH", f"/users/{user_id}/settings", settings)

    def state(self) -> dict[str, Any]:
        return dict(self._call("GET", "/state"))


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
    server = make_server(
        "127.0.0.1", port, emulator.wsgi_app, threaded=True, request_handler=QuietRequestHandler
    )
    # A short poll interval keeps shutdown (and so every test using this) fast.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), name="zoom-emulator", daemon=True)
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
