"""A running emulator on a hand-wound clock, Maria's token, and a webhook receiver (the personas and calls
they use are in clients.py)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from emulator_kit.serving import QuietRequestHandler
from zoom_emulator import Emulator, EmulatorConfig, ManualClock
from zoom_emulator.testing import RunningEmulator, run_emulator
from zoom_emulator.tests.clients import CLIENT_ID, MARIA, Received, WebhookReceiver, user_tokens


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=1_900_000_000.0)  # 2030-03-17, so "upcoming" meetings are easy to write


@pytest.fixture
def emulator(clock: ManualClock) -> Emulator:
    config = EmulatorConfig(
        webhook_retry_delays=(0.05, 0.05, 0.05), webhook_timeout=1.0, fault_hang_seconds=1.5
    )
    return Emulator(clock=clock, config=config)


@pytest.fixture
def zoom(emulator: Emulator) -> Iterator[RunningEmulator]:
    with run_emulator(emulator) as running:
        yield running


@pytest.fixture
def http(zoom: RunningEmulator) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=zoom.base_url, timeout=5.0) as client:
        yield client


@pytest.fixture
def maria(http: httpx2.Client) -> str:
    return str(user_tokens(http, MARIA)["access_token"])


@pytest.fixture
def receiver(emulator: Emulator) -> Iterator[WebhookReceiver]:
    holder: dict[str, WebhookReceiver] = {}

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        hook = holder["receiver"]
        hook.received.append(Received({k.lower(): v for k, v in request.headers.items()}, request.get_data()))
        body = request.get_json(silent=True) or {}
        if body.get("event") == "endpoint.url_validation":
            import hmac

            plain = body["payload"]["plainToken"]
            digest = hmac.new(hook.secret.encode(), plain.encode(), hashlib.sha256).hexdigest()
            answer = json.dumps({"plainToken": plain, "encryptedToken": digest})
            return Response(answer, 200, content_type="application/json")(environ, start_response)
        status = hook.statuses.pop(0) if hook.statuses else 200
        return Response("", status)(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    hook = WebhookReceiver(url=f"http://127.0.0.1:{server.server_port}/integrations/zoom/events")
    holder["receiver"] = hook
    emulator.set_event_url(CLIENT_ID, hook.url)
    yield hook
    server.shutdown()
    server.server_close()
