"""Personas, a running emulator on a hand-wound clock, and a notification receiver."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from emulator_kit.serving import QuietRequestHandler
from microsoft_emulator import Emulator, EmulatorConfig, ManualClock
from microsoft_emulator.testing import RunningEmulator, run_emulator

CLIENT_ID = "5f0c7a8e-3d2b-4c1a-9e8f-0a1b2c3d4e5f"
CLIENT_SECRET = "rendez-demo-microsoft-secret"
REDIRECT_URI = "http://127.0.0.1:8000/integrations/microsoft/callback"
SCOPE = "openid email profile offline_access User.Read Calendars.ReadWrite"
VERIFIER = "a-verifier-that-is-long-enough-for-pkce-0123456789-abcdefghij"

MARIA = "a1f0c3d2-1111-4a5b-8c9d-000000000001"  # work account, Demo Clinic
JONAS = "a1f0c3d2-2222-4a5b-8c9d-000000000002"  # work account, Demo Clinic
AISHA = "b2e1d4c3-3333-4b6c-9d0e-000000000003"  # work account, another tenant
SAM = "00000000-0000-0000-4d2a-7e5b1c9f0a44"  # personal Microsoft account (no `mail`)
DEMO_TENANT = "7d3f1b2a-6c5e-4f8d-9a0b-1c2d3e4f5a60"
PROP_ID = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name rendezId"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=1_900_000_000.0)  # 2030-03-17 (a Sunday)


@pytest.fixture
def emulator(clock: ManualClock) -> Emulator:
    config = EmulatorConfig(
        notification_retry_delays=(0.05, 0.05),
        notification_timeout=1.0,
        validation_timeout=1.0,
        fault_hang_seconds=0.2,
    )
    return Emulator(clock=clock, config=config)


@pytest.fixture
def ms(emulator: Emulator) -> Iterator[RunningEmulator]:
    with run_emulator(emulator) as running:
        yield running


@pytest.fixture
def http(ms: RunningEmulator) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=ms.base_url, timeout=5.0) as client:
        yield client


def authorize_params(**extra: str) -> dict[str, str]:
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "state": "st4te",
        "code_challenge": s256(VERIFIER),
        "code_challenge_method": "S256",
        "response_mode": "query",
    }
    params.update(extra)
    return {key: value for key, value in params.items() if value != ""}


def authorize_code(http: httpx2.Client, user_id: str, tenant: str = "common", **extra: str) -> str:
    response = http.post(
        f"/login/{tenant}/oauth2/v2.0/authorize",
        params=authorize_params(**extra),
        data={"user_id": user_id, "decision": "allow"},
    )
    assert response.status_code == 302, response.text
    location = httpx2.URL(response.headers["location"])
    assert location.params["state"] == "st4te"
    return location.params["code"]


def redeem(http: httpx2.Client, code: str, **extra: str) -> httpx2.Response:
    data = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": VERIFIER,
        **extra,
    }
    return http.post("/login/common/oauth2/v2.0/token", data={k: v for k, v in data.items() if v != ""})


def refresh(http: httpx2.Client, refresh_token: str) -> httpx2.Response:
    data = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
    }
    return http.post("/login/common/oauth2/v2.0/token", data=data)


def tokens_for(http: httpx2.Client, user_id: str, **extra: str) -> dict[str, Any]:
    response = redeem(http, authorize_code(http, user_id, **extra))
    assert response.status_code == 200, response.text
    return dict(response.json())


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


@pytest.fixture
def maria(http: httpx2.Client) -> str:
    return str(tokens_for(http, MARIA)["access_token"])


@pytest.fixture
def sam(http: httpx2.Client) -> str:
    return str(tokens_for(http, SAM)["access_token"])


def event_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": "Consultation with Jane Doe",
        "body": {"contentType": "text", "content": "Booked with Rendez"},
        "start": {"dateTime": "2030-03-20T10:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2030-03-20T10:45:00", "timeZone": "Europe/Berlin"},
        "showAs": "busy",
    }
    body.update(overrides)
    return body


@dataclass
class Received:
    query: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP endpoint: answers the validation handshake (or not, as scripted), records notifications."""

    url: str
    received: list[Received] = field(default_factory=list)
    echo: str = "exact"  # exact, json (right token, wrong type), wrong, none
    statuses: list[int] = field(default_factory=list)

    def notifications(self) -> list[dict[str, Any]]:
        return [item.json() for item in self.received if "validationToken" not in item.query]


@pytest.fixture
def receiver(ms: RunningEmulator) -> Iterator[Receiver]:
    holder: dict[str, Receiver] = {}

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        hook = holder["receiver"]
        hook.received.append(Received(request.args.to_dict(), request.get_data()))
        token = request.args.get("validationToken")
        if token is not None:
            if hook.echo == "exact":
                return Response(token, 200, content_type="text/plain")(environ, start_response)
            if hook.echo == "json":
                return Response(token, 200, content_type="application/json")(environ, start_response)
            if hook.echo == "wrong":
                return Response("nope", 200, content_type="text/plain")(environ, start_response)
            return Response("", 500)(environ, start_response)
        status = hook.statuses.pop(0) if hook.statuses else 202
        return Response("", status)(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    holder["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_port}/integrations/microsoft/notify")
    ms.control.allow_http_notifications()
    yield holder["receiver"]
    server.shutdown()
    server.server_close()
