"""The operator in Chromium: signs in at /login/, lands on the Zoom page asked for; desktop screenshot."""

from __future__ import annotations

import pytest

from rendez.web.panel.tests.fixtures import PASSWORD
from rendez.web.tests.screens import DESKTOP, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIENT_SECRET = "zoom-client-secret-must-not-leak"


def test_the_operator_signs_in_and_opens_the_zoom_page(live_server, page, otto, settings):
    settings.ZOOM_CLIENT_ID = "platform-client-id"
    settings.ZOOM_CLIENT_SECRET = CLIENT_SECRET
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/operator/zoom/")
    page.get_by_label("Email or username").fill("otto")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Zoom", exact=True).wait_for()
    assert page.url == live_server.url + "/operator/zoom/"
    assert page.get_by_test_id("client-id").inner_text() == "platform-client-id"
    assert page.get_by_test_id("client-secret").inner_text() == "Set"
    assert page.get_by_test_id("redirect-uri").inner_text().endswith("/integrations/zoom/callback")
    assert CLIENT_SECRET not in page.content()
    shoot(page, "operator-zoom")

    page.get_by_role("link", name="Tenants").click()
    page.get_by_role("heading", name="Tenants", exact=True).wait_for()


def test_the_tenant_table_names_each_number_at_phone_width(live_server, page, otto):
    from rendez.scheduling.tests.factories import make_tenant
    from rendez.web.tests.screens import PHONE

    make_tenant("studio", name="A new studio")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/operator/tenants/")
    page.get_by_label("Email or username").fill("otto")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Tenants", exact=True).wait_for()
    staff_cell = page.locator("td[data-label='Staff']").first
    label = staff_cell.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Staff: "'
    assert not page.locator("table.responsive thead").is_visible()
