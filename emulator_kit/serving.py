"""Serving an emulator on 127.0.0.1 in a background thread, and the client of its `/_control/*` API, for
tests anywhere in the project."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
from werkzeug.serving import WSGIRequestHandler, make_server


class QuietRequestHandler(WSGIRequestHandler):
    """Keeps werkzeug's per-request access log out of test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class ControlClient:
    """A thin client for `/_control/*` over HTTP: what every emulator's control API has. Each emulator's
    own client adds its provider's switches with `call`."""

    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        self._base_url = f"{base_url}/_control"
        self._timeout = timeout
        self._http: httpx2.Client | None = None

    @property
    def _client(self) -> httpx2.Client:
        # Created on first use: many tests never touch the control API, and a client costs an SSL context.
        if self._http is None:
            self._http = httpx2.Client(base_url=self._base_url, timeout=self._timeout)
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def call(
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
        self.call("POST", "/reset", {"seed": seed} if seed is not None else {})

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        params = {key: value for key, value in (("method", method), ("path", path)) if value}
        return list(self.call("GET", "/requests", params=params)["requests"])

    def clear_requests(self) -> None:
        self.call("DELETE", "/requests")

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        return dict(self.call("POST", "/faults", settings))

    def clear_faults(self) -> None:
        self.call("DELETE", "/faults")

    def state(self) -> dict[str, Any]:
        return dict(self.call("GET", "/state"))


@contextmanager
def serving(wsgi_app: Callable[..., Any], *, name: str, port: int = 0) -> Iterator[str]:
    """Serve `wsgi_app` on 127.0.0.1:`port` (0 picks a free port) in a thread named `name`; yields its base
    URL and stops it on exit."""
    server = make_server("127.0.0.1", port, wsgi_app, threaded=True, request_handler=QuietRequestHandler)
    # A short poll interval keeps shutdown (and so every test using this) fast.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
