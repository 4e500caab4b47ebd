"""The consent page in a real browser: pick an account, accept or cancel."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx2
import pytest

from microsoft_emulator.testing import RunningEmulator

from .conftest import CLIENT_ID, SAM, authorize_params


@pytest.mark.browser
def test_a_person_picks_a_personal_account_and_accepts(ms: RunningEmulator, page: Any) -> None:
    callback = f"{ms.base_url}/probe/callback"
    ms.emulator.add_redirect_uri(CLIENT_ID, callback)
    page.goto(
        f"{ms.login_base_url}/common/oauth2/v2.0/authorize?"
        + urlencode(authorize_params(redirect_uri=callback))
    )
    assert "Rendez (demo)" in page.content() and "personal account" in page.content()
    page.get_by_test_id("account-sam.rivera@outlook.example").check()
    page.get_by_test_id("accept").click()
    page.wait_for_url(f"{callback}?code=*")
    code = httpx2.URL(page.url).params["code"]
    assert httpx2.URL(page.url).params["state"] == "st4te"
    assert ms.emulator.state.codes[code].user_id == SAM


@pytest.mark.browser
def test_a_person_cancels(ms: RunningEmulator, page: Any) -> None:
    callback = f"{ms.base_url}/probe/callback"
    ms.emulator.add_redirect_uri(CLIENT_ID, callback)
    page.goto(
        f"{ms.login_base_url}/organizations/oauth2/v2.0/authorize?"
        + urlencode(authorize_params(redirect_uri=callback))
    )
    assert "sam.rivera" not in page.content()
    page.get_by_test_id("cancel").click()
    page.wait_for_url(f"{callback}?error=access_denied*")
