"""Serving: mounted under a prefix (as Rendez will mount it at /_google), links follow the prefix; the
standalone entry point parses its arguments."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from emulator_kit.serving import QuietRequestHandler
from google_emulator import Emulator, ManualClock
from google_emulator.testing import run_emulator

from .conftest import MARIA, NOW, RENDEZ_SCOPES, auth_params, bearer, event_body, refresh, tokens_for


@pytest.fixture
def mounted() -> Iterator[str]:
    emulator = Emulator(clock=ManualClock(NOW))
    app = DispatcherMiddleware(Response("rendez", 200), {"/_google": emulator.wsgi_app})
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/_google"
    server.shutdown()
    server.server_close()


def test_every_base_url_can_point_under_a_prefix(mounted: str) -> None:
    with httpx2.Client(timeout=5.0) as http:
        page = http.get(f"{mounted}/accounts/o/oauth2/v2/auth", params=auth_params())
        assert page.status_code == 200 and 'action="/_google/accounts/o/oauth2/v2/auth?' in page.text
        answer = http.post(
            f"{mounted}/accounts/o/oauth2/v2/auth",
            params=auth_params(),
            data={"account": MARIA, "decision": "allow", "scope": RENDEZ_SCOPES.split()},
        )
        code = httpx2.URL(answer.headers["location"]).params["code"]
        tokens = http.post(
            f"{mounted}/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": auth_params()["redirect_uri"],
                "client_id": auth_params()["client_id"],
                "client_secret": "GOCSPX-rendez-demo-secret",
            },
        ).json()
        created = http.post(
            f"{mounted}/calendar/v3/calendars/primary/events",
            json=event_body(),
            headers=bearer(tokens["access_token"]),
        ).json()
        assert created["htmlLink"].startswith(f"{mounted}/calendar/event?eid=")
        revoked = http.post(f"{mounted}/oauth2/revoke", data={"token": tokens["access_token"]})
        assert revoked.status_code == 200


def test_the_command_line_defaults() -> None:
    from google_emulator import __main__

    assert callable(__main__.main)


def test_state_survives_a_restart_with_a_state_file(tmp_path: Path) -> None:
    path = str(tmp_path / "google.json")
    first = Emulator(clock=ManualClock(NOW), state_file=path)
    with run_emulator(first) as google, httpx2.Client(base_url=google.base_url, timeout=5.0) as http:
        tokens = tokens_for(http)
        created = http.post(
            "/calendar/v3/calendars/primary/events", json=event_body(), headers=bearer(tokens["access_token"])
        ).json()
        _, sync_token = full_sync_token(http, tokens["access_token"])
    second = Emulator(clock=ManualClock(NOW + 60), state_file=path)
    with run_emulator(second) as google, httpx2.Client(base_url=google.base_url, timeout=5.0) as http:
        refreshed = refresh(http, tokens["refresh_token"])
        assert refreshed.status_code == 200
        token = refreshed.json()["access_token"]
        fetched = http.get(f"/calendar/v3/calendars/{MARIA}/events/{created['id']}", headers=bearer(token))
        assert fetched.json()["summary"] == created["summary"]
        changes = http.get(
            f"/calendar/v3/calendars/{MARIA}/events", params={"syncToken": sync_token}, headers=bearer(token)
        )
        assert changes.status_code == 200 and changes.json()["items"] == []


def full_sync_token(http: httpx2.Client, token: str) -> tuple[list[Any], str]:
    body = http.get(f"/calendar/v3/calendars/{MARIA}/events", headers=bearer(token)).json()
    return body["items"], body["nextSyncToken"]
