"""The consent page in a real browser: choose an account, untick a scope, continue."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from google_emulator.testing import RunningEmulator

from .conftest import JONAS, REDIRECT_URI, auth_params, exchange

pytestmark = pytest.mark.browser

FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy"


def test_a_person_can_pick_an_account_and_untick_a_scope(
    page: Any, google: RunningEmulator, http: httpx2.Client
) -> None:
    # Rendez is not running here: answer its callback in the browser so the final URL can be read.
    page.route(f"{REDIRECT_URI}**", lambda route: route.fulfill(status=200, body="callback"))
    url = httpx2.URL(f"{google.oauth_base_url}/o/oauth2/v2/auth", params=auth_params())
    page.goto(str(url))
    page.get_by_test_id(f"account-{JONAS}").check()
    page.get_by_test_id(f"scope-{FREEBUSY}").uncheck()
    page.get_by_test_id("allow").click()
    page.wait_for_url(f"{REDIRECT_URI}**")
    back = httpx2.URL(page.url)
    assert back.params["state"] == "st4te"
    assert FREEBUSY not in back.params["scope"].split()
    tokens = exchange(http, back.params["code"]).json()
    info = http.get(
        "/openidconnect/v1/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert info.json()["email"] == JONAS
