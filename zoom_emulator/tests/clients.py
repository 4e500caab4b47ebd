"""The emulator as the tests call it: the app's credentials, the personas of its Demo Clinic, OAuth calls,
a meeting body, and what a webhook receiver records. The fixtures are in conftest.py."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import httpx2

CLIENT_ID = "rendez-demo-client"
CLIENT_SECRET = "rendez-demo-secret"
WEBHOOK_SECRET = "rendez-demo-webhook-secret"
REDIRECT_URI = "http://127.0.0.1:8000/integrations/zoom/callback"
S2S_CLIENT_ID = "rendez-demo-s2s"
S2S_SECRET = "rendez-demo-s2s-secret"
ACCOUNT_ID = "demo-account"

MARIA = "dXNyLW1hcmlhLWtvY2gtMDE"  # Owner of Demo Clinic (Pro)
JONAS = "dXNyLWpvbmFzLXdlYmVyLTAy"  # Admin of Demo Clinic
LEA = "dXNyLWxlYS1zY2htaXR0LTAz"  # Member with a strict passcode requirement
TOMAS = "dXNyLXRvbWFzLW5vdmFrLTA0"  # Member without a passcode requirement
SAM = "dXNyLXNhbS1yaXZlcmEtMDU"  # Owner of a Free account
AISHA = "dXNyLWFpc2hhLWtoYW4tMDY"  # Owner of another (Business) account

JSON = {"Accept": "application/json"}


def basic(client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **JSON}


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def authorize_code(
    http: httpx2.Client, user_id: str, state: str = "st4te", redirect_uri: str = REDIRECT_URI, **extra: str
) -> str:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": redirect_uri,
        "state": state,
        **extra,
    }
    response = http.post("/oauth/authorize", params=params, data={"user_id": user_id, "decision": "allow"})
    assert response.status_code == 302, response.text
    location = httpx2.URL(response.headers["location"])
    assert location.params["state"] == state
    return location.params["code"]


def exchange(http: httpx2.Client, code: str, **extra: str) -> httpx2.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, **extra}
    return http.post("/oauth/token", data=data, headers=basic())


def user_tokens(http: httpx2.Client, user_id: str) -> dict[str, Any]:
    response = exchange(http, authorize_code(http, user_id))
    assert response.status_code == 200, response.text
    return dict(response.json())


def s2s_token(http: httpx2.Client) -> str:
    response = http.post(
        "/oauth/token",
        data={"grant_type": "account_credentials", "account_id": ACCOUNT_ID},
        headers=basic(S2S_CLIENT_ID, S2S_SECRET),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def meeting_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "topic": "Consultation with Jane Doe",
        "type": 2,
        "start_time": "2030-04-10T13:30:00Z",
        "timezone": "Europe/Berlin",
        "duration": 45,
        "agenda": "Booking #8812",
        "settings": {"waiting_room": True, "meeting_invitees": [{"email": "jane@example.com"}]},
    }
    body.update(overrides)
    return body


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """A real HTTP endpoint that records what it gets and answers with scripted statuses."""

    url: str
    secret: str = WEBHOOK_SECRET
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def events(self) -> list[str]:
        return [item.json()["event"] for item in self.received]
