"""API keys in Chromium: an admin creates a key, sees it once with a copy button, and it is gone on return.
Screenshots of the list and of the new key land in docs/screenshots/ (desktop)."""

from __future__ import annotations

import pytest

from rendez.tenants.models import ApiKey
from rendez.web.panel.tests.fixtures import PASSWORD
from rendez.web.tests.screens import DESKTOP, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_creates_an_api_key_and_sees_it_once(live_server, page, ada, alice):
    ApiKey.issue(alice, "Old integration")[0].revoke()
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email or username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()

    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("Website")
    page.get_by_role("button", name="Create key").click()
    page.get_by_text("This is the only time the key is shown.").wait_for()
    raw_key = page.get_by_test_id("raw-key").input_value()
    assert raw_key.startswith("rdz_")
    page.get_by_role("button", name="Copy").click()
    page.locator("#copied").filter(has_text="C").wait_for()
    shoot(page, "panel-apikeys-created")

    page.get_by_role("link", name="Done, back to API keys").click()
    page.get_by_role("heading", name="API keys", exact=True).wait_for()
    assert raw_key not in page.content()
    assert page.get_by_text(raw_key[:12] + "…").is_visible()
    shoot(page, "panel-apikeys")

    page.go_back()
    assert raw_key not in page.content()
