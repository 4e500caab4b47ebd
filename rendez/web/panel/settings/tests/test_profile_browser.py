"""The business profile in Chromium: Ada fills it in, with a logo and a brand colour, and the public booking
page shows her welcome, logo and colour, at desktop and phone width."""

from __future__ import annotations

import pytest

from rendez.tenants.tests.pictures import picture
from rendez.web.panel.tests.fixtures import sign_in_page
from rendez.web.tests.screens import WIDTHS, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A 600 × 200 logo, which is stored shrunk to 400 × 133.
PNG = picture("PNG", (600, 200), colour="#0b6b2f")


def test_an_admin_edits_the_profile_and_the_booking_page_welcomes_with_it(
    live_server, page, settings, tmp_path, ada, alice, consultation
):
    settings.MEDIA_ROOT = tmp_path / "media"
    sign_in_page(page, live_server, "ada@alice.example")
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("link", name="Business profile").first.click()

    page.get_by_label("Brand colour").fill("#ffee00")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("too light to read on white").wait_for()

    page.get_by_label("Business name").fill("Alice's Yoga Studio")
    page.get_by_label("Brand colour").fill("#0b6b2f")
    page.get_by_label("Booking page welcome").fill("Welcome to the studio! Classes for every level.")
    page.get_by_label("Cancellation policy").fill("Free cancellation up to 24 hours ahead.")
    page.get_by_label("Logo").set_input_files({"name": "logo.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Business profile saved.").wait_for()
    assert page.get_by_test_id("logo-preview").is_visible()
    shoot(page, "panel-settings-profile")

    for width in ("desktop", "phone"):
        page.set_viewport_size(WIDTHS[width])
        page.goto(f"{live_server.url}/book/alice/")
        welcome = page.get_by_test_id("welcome")
        assert welcome.inner_text() == "Welcome to the studio! Classes for every level."
        assert welcome.is_visible()
        assert page.locator("header .brand").inner_text().strip() == "Alice's Yoga Studio"
        assert page.locator("img.brand-logo").evaluate("img => img.complete && img.naturalWidth") == 400
        accent = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent')")
        assert accent.strip() == "#0b6b2f"
        box = welcome.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[width]["width"]
