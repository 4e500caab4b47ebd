"""Serving: mounted under a prefix (as Rendez will mount it), and the delta invariant over random edits."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from emulator_kit.serving import QuietRequestHandler
from microsoft_emulator import Emulator, ManualClock
from microsoft_emulator.testing import RunningEmulator

from .conftest import MARIA, authorize_params, bearer, event_body, tokens_for

G = "/graph/v1.0"
WINDOW = {"startDateTime": "2030-03-17T00:00:00Z", "endDateTime": "2030-04-17T00:00:00Z"}


@pytest.fixture
def mounted(clock: ManualClock) -> Iterator[str]:
    emulator = Emulator(clock=clock)
    app = DispatcherMiddleware(Response("rendez", 200), {"/_microsoft": emulator.wsgi_app})
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/_microsoft"
    server.shutdown()
    server.server_close()


def test_the_command_line_parses_its_options() -> None:
    from microsoft_emulator.__main__ import parse_args

    args = parse_args(["--port", "9200", "--allow-http-notifications"])
    assert args.port == 9200 and args.allow_http_notifications is True


def test_links_carry_the_mount_prefix(mounted: str) -> None:
    with httpx2.Client(base_url=mounted, timeout=5.0) as http:
        page_html = http.get("/login/common/oauth2/v2.0/authorize", params=authorize_params()).text
        assert "action='/_microsoft/login/common/oauth2/v2.0/authorize?" in page_html
        token = tokens_for(http, MARIA)["access_token"]
        page = http.get(
            f"{G}/me/calendarView/delta", headers=bearer(token, Prefer="odata.maxpagesize=2"), params=WINDOW
        ).json()
        assert page["@odata.nextLink"].startswith(f"{mounted}/graph/v1.0/me/calendarView/delta?$skiptoken=")
        assert http.get(page["@odata.nextLink"], headers=bearer(token)).status_code == 200


edits = st.lists(
    st.tuples(
        st.sampled_from(["create", "update", "delete", "outlook_create", "move_out"]), st.integers(0, 50)
    ),
    max_size=6,
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rounds=st.lists(edits, min_size=1, max_size=3))
def test_applying_delta_rounds_reproduces_the_calendar_view(
    rounds: list[list[tuple[str, int]]], http: httpx2.Client, ms: RunningEmulator
) -> None:
    ms.control.reset()
    token = tokens_for(http, MARIA)["access_token"]
    local: dict[str, dict[str, Any]] = {}
    link = None
    for round_edits in [[], *rounds]:
        for kind, pick in round_edits:
            _edit(http, ms, token, kind, pick)
        link = _apply_delta(http, token, local, link)
        view = http.get(
            f"{G}/me/calendarView", headers=bearer(token), params={**WINDOW, "$top": "1000"}
        ).json()["value"]
        assert {e["id"]: e["subject"] for e in view} == {i: e["subject"] for i, e in local.items()}


def _edit(http: httpx2.Client, ms: RunningEmulator, token: str, kind: str, pick: int) -> None:
    ids = [e["id"] for e in ms.control.state()["events"] if e["owner_id"] == MARIA]
    if kind == "create" or not ids:
        http.post(f"{G}/me/events", headers=bearer(token), json=event_body(subject=f"Booking {pick}"))
    elif kind == "outlook_create":
        ms.control.outlook_create(MARIA, event_body(subject=f"Outlook {pick}"))
    elif kind == "update":
        http.patch(
            f"{G}/me/events/{ids[pick % len(ids)]}", headers=bearer(token), json={"subject": f"Edit {pick}"}
        )
    elif kind == "move_out":
        # Midnight to midnight, so the move is valid for all-day events too.
        start = {"dateTime": "2031-01-01T00:00:00", "timeZone": "UTC"}
        end = {"dateTime": "2031-01-02T00:00:00", "timeZone": "UTC"}
        ms.control.outlook_update(ids[pick % len(ids)], {"start": start, "end": end})
    else:
        http.delete(f"{G}/me/events/{ids[pick % len(ids)]}", headers=bearer(token))


def _apply_delta(http: httpx2.Client, token: str, local: dict[str, dict[str, Any]], link: str | None) -> str:
    headers = bearer(token, Prefer="odata.maxpagesize=3")
    response = (
        http.get(link, headers=headers)
        if link
        else http.get(f"{G}/me/calendarView/delta", headers=headers, params=WINDOW)
    )
    while True:
        page = response.json()
        for item in page["value"]:
            if "@removed" in item:
                local.pop(item["id"], None)
            else:
                local[item["id"]] = item
        if "@odata.deltaLink" in page:
            return str(page["@odata.deltaLink"])
        response = http.get(page["@odata.nextLink"], headers=headers)
