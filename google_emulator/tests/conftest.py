"""Personas, a running emulator on a hand-wound clock, the OAuth dance, and a push receiver."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from emulator_kit.serving import QuietRequestHandler
from google_emulator import Emulator, ManualClock
from google_emulator.testing import RunningEmulator, run_emulator

CLIENT_ID = "rendez-demo.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-rendez-demo-secret"
REDIRECT_URI = "http://127.0.0.1:8000/integrations/google/callback"
MARIA = "maria.koch@demo-clinic.example"
JONAS = "jonas.weber@demo-clinic.example"
HOLIDAYS = "en.german#holiday@group.v.calendar.google.com"
CALENDAR = "https://www.googleapis.com/auth/calendar"
EVENTS = "https://www.googleapis.com/auth/calendar.events"
READONLY = "https://www.googleapis.com/auth/calendar.readonly"
RENDEZ_SCOPES = f"openid email {EVENTS} https://www.googleapis.com/auth/calendar.calendarlist.readonly " + (
    "https://www.googleapis.com/auth/calendar.freebusy"
)
NOW = 1_900_000_000.0  # Sun 2030-03-17 17:46:40 UTC


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=NOW)


@pytest.fixture
def emulator(clock: ManualClock) -> Emulator:
    return Emulator(clock=clock)


@pytest.fixture
def google(emulator: Emulator) -> Iterator[RunningEmulator]:
    with run_emulator(emulator) as running:
        yield running


@pytest.fixture
def http(google: RunningEmulator) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=google.base_url, timeout=5.0) as client:
        yield client


def auth_params(**extra: str) -> dict[str, str]:
    return {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": RENDEZ_SCOPES,
        "access_type": "offline",
        "state": "st4te",
        **extra,
    }


def consent(
    http: httpx2.Client,
    email: str = MARIA,
    untick: str = "",
    decision: str = "allow",
    **extra: str,
) -> httpx2.URL:
    """Click through the consent page as `email` and return where Google sends the browser back to."""
    params = auth_params(**extra)
    requested = [
        s for s in params["scope"].split() if s.startswith("https://www.googleapis.com/auth/calendar")
    ]
    ticked = [s for s in requested if s not in untick.split()]
    form = {"account": email, "decision": decision, "scope": ticked}
    response = http.post("/accounts/o/oauth2/v2/auth", params=params, data=form)
    assert response.status_code == 302, response.text
    return httpx2.URL(response.headers["location"])


def exchange(http: httpx2.Client, code: str, **extra: str) -> httpx2.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        **extra,
    }
    return http.post("/oauth2/token", data=data)


def refresh(http: httpx2.Client, refresh_token: str) -> httpx2.Response:
    data = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    return http.post("/oauth2/token", data=data)


def tokens_for(http: httpx2.Client, email: str = MARIA, **extra: str) -> dict[str, Any]:
    location = consent(http, email, **extra)
    response = exchange(http, location.params["code"])
    assert response.status_code == 200, response.text
    return dict(response.json())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def maria(http: httpx2.Client) -> dict[str, str]:
    """Headers for Maria's calendar, as Rendez will hold them after she connects."""
    return bearer(tokens_for(http, MARIA)["access_token"])


def event_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "summary": "Consultation with Jane Doe",
        "start": {"dateTime": "2030-03-20T10:00:00+01:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2030-03-20T10:45:00+01:00", "timeZone": "Europe/Berlin"},
        "extendedProperties": {"private": {"rendezBookingId": "b-8812"}},
    }
    body.update(overrides)
    return body


@dataclass
class PushReceiver:
    url: str
    received: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    holder: dict[str, PushReceiver] = {}

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        holder["r"].received.append(
            {k.lower(): v for k, v in request.headers.items()} | {"body": request.get_data(as_text=True)}
        )
        return Response("", 200)(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    holder["r"] = PushReceiver(url=f"http://127.0.0.1:{server.server_port}/integrations/google/notifications")
    yield holder["r"]
    server.shutdown()
    server.server_close()
