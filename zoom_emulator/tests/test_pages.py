"""Pages: consent in a real browser, the portal, join/start links, and mounting under a path prefix."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from emulator_kit.serving import QuietRequestHandler
from zoom_emulator import Emulator, ManualClock

from .clients import ACCOUNT_ID, CLIENT_ID, MARIA, bearer, meeting_body, user_tokens


@pytest.mark.browser
def test_a_person_signs_in_on_the_authorize_page(zoom, page: Any) -> None:  # type: ignore[no-untyped-def]
    callback = f"{zoom.base_url}/probe/callback"
    zoom.emulator.add_redirect_uri(CLIENT_ID, callback)
    page.goto(
        f"{zoom.base_url}/oauth/authorize?response_type=code&client_id={CLIENT_ID}"
        f"&redirect_uri={callback}&state=browser-state"
    )
    assert "Rendez (demo)" in page.content()
    page.get_by_label("Maria Koch").check()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{callback}?code=*")
    assert "state=browser-state" in page.url
    code = httpx2.URL(page.url).params["code"]
    assert zoom.emulator.state.codes[code].user_id == MARIA


@pytest.mark.browser
def test_a_person_denies_on_the_authorize_page(zoom, page: Any) -> None:  # type: ignore[no-untyped-def]
    callback = f"{zoom.base_url}/probe/callback"
    zoom.emulator.add_redirect_uri(CLIENT_ID, callback)
    page.goto(
        f"{zoom.base_url}/oauth/authorize?response_type=code&client_id={CLIENT_ID}&redirect_uri={callback}&state=s"
    )
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url(f"{callback}?error=access_denied&state=s")


@pytest.mark.browser
def test_a_person_deletes_a_meeting_in_the_portal(zoom, page: Any, http: httpx2.Client) -> None:  # type: ignore[no-untyped-def]
    token = user_tokens(http, MARIA)["access_token"]
    meeting_id = http.post(
        "/v2/users/me/meetings", json=meeting_body(topic="Portal"), headers=bearer(token)
    ).json()["id"]
    page.goto(f"{zoom.base_url}/portal/accounts/{ACCOUNT_ID}")
    assert "Portal" in page.content()
    page.get_by_test_id(f"delete-{meeting_id}").click()
    page.wait_for_load_state()
    assert meeting_id not in zoom.emulator.state.meetings
    assert "Portal" not in page.content()


def test_the_join_page_shows_the_meeting_and_the_participant(http: httpx2.Client, maria: str) -> None:
    meeting = http.post(
        "/v2/users/me/meetings", json=meeting_body(topic="Knee check"), headers=bearer(maria)
    ).json()
    join = httpx2.URL(meeting["join_url"])
    form = http.get(join.path, params=dict(join.params))
    assert "Knee check" in form.text and "Passcode" not in form.text
    joined = http.post(join.path, params=dict(join.params), data={"name": "Jane Doe"})
    assert f"You joined meeting <strong>{meeting['id']}</strong>" in joined.text and "Jane Doe" in joined.text
    wrong = http.post(join.path, data={"name": "Eve", "passcode": "nope"})
    assert "Wrong passcode" in wrong.text


def test_the_start_link_starts_as_host_and_expires_after_two_hours(
    http: httpx2.Client, maria: str, clock: ManualClock
) -> None:
    meeting = http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(maria)).json()
    start = httpx2.URL(meeting["start_url"])
    started = http.get(start.path, params=dict(start.params))
    assert "started as host <strong>Maria Koch</strong>" in started.text
    clock.advance(7201)
    expired = http.get(start.path, params=dict(start.params))
    assert expired.status_code == 403 and "expired" in expired.text
    token = user_tokens(http, MARIA)["access_token"]  # the first access token expired too
    fresh = httpx2.URL(http.get(f"/v2/meetings/{meeting['id']}", headers=bearer(token)).json()["start_url"])
    assert http.get(fresh.path, params=dict(fresh.params)).status_code == 200


@pytest.fixture
def mounted(emulator: Emulator) -> Iterator[str]:
    """The emulator mounted under /_zoom beside another app, as Rendez mounts it."""

    def rendez(environ: dict[str, Any], start_response: Any) -> Any:
        return Response("rendez")(environ, start_response)

    app = DispatcherMiddleware(rendez, {"/_zoom": emulator.wsgi_app})
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_every_emitted_url_carries_the_mount_prefix(emulator: Emulator, mounted: str) -> None:
    callback = "http://127.0.0.1:8000/integrations/zoom/callback"
    with httpx2.Client(base_url=f"{mounted}/_zoom") as client:
        params = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": callback, "state": "m"}
        consent = client.get("/oauth/authorize", params=params)
        assert f"action='{mounted}/_zoom/oauth/authorize?" in consent.text
        redirect = client.post(
            "/oauth/authorize", params=params, data={"user_id": MARIA, "decision": "allow"}
        )
        code = httpx2.URL(redirect.headers["location"]).params["code"]
        tokens = client.post(
            "/oauth/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": callback},
            auth=("rendez-demo-client", "rendez-demo-secret"),
        ).json()
        meeting = client.post(
            "/v2/users/me/meetings", json=meeting_body(), headers=bearer(tokens["access_token"])
        ).json()
        assert meeting["join_url"].startswith(f"{mounted}/_zoom/j/")
        assert meeting["start_url"].startswith(f"{mounted}/_zoom/s/")
        assert tokens["api_url"] == f"{mounted}/_zoom"
        assert client.get(httpx2.URL(meeting["join_url"]).path.removeprefix("/_zoom")).status_code == 200
        assert emulator.requests(path="/v2/users/me/meetings")[0]["status"] == 201
    assert httpx2.get(f"{mounted}/elsewhere").text == "rendez"


def test_public_base_url_wins_over_the_request() -> None:
    emulator = Emulator(public_base_url="https://zoom.test/")
    from zoom_emulator.testing import run_emulator

    with run_emulator(emulator) as zoom, httpx2.Client(base_url=zoom.base_url) as client:
        page = client.get("/")
        assert "href='https://zoom.test/portal/accounts/demo-account'" in page.text
