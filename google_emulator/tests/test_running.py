"""Serving: mounted under a prefix (as Rendez will mount it at /_google), links follow the prefix; the
standalone entry point parses its arguments."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx2
import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from google_emulator import Emulator, ManualClock
from google_emulator.testing import QuietRequestHandler

from .conftest import MARIA, NOW, RENDEZ_SCOPES, auth_params, bearer, event_body


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
