"""The calendar in Chromium: an admin opens the week, clicks an appointment, reads the meeting in the drawer,
closes it with Escape. Screenshots of the week with the drawer open, and of the month as a phone shows it."""

from __future__ import annotations

import pytest

from rendez.web.panel.tests.fixtures import make_meeting, sign_in_page
from rendez.web.tests.screens import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_opens_an_appointment_from_the_week_in_the_drawer_and_escapes(
    live_server, page, ada, doras_appointment, emils_appointment, monday
):
    make_meeting(doras_appointment)
    sign_in_page(page, live_server, "ada@alice.example")
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.get_by_role("link", name="Calendar", exact=True).click()
    page.goto(live_server.url + f"/panel/calendar/?date={monday.isoformat()}")

    opener = page.locator(f'button[data-appointment="{doras_appointment.pk}"]')
    opener.click()
    drawer = page.get_by_role("dialog")
    drawer.get_by_test_id("join-url").wait_for()
    assert drawer.get_by_test_id("join-url").inner_text() == "https://zoom.example/j/85746352413?pwd=abc"
    assert drawer.get_by_test_id("password").inner_text() == "4821"
    assert drawer.get_by_role("link", name="START MEETING").is_visible()
    assert page.evaluate("document.activeElement.id") == "drawer"
    shoot(page, "panel-calendar-week-drawer", full_page=False)

    page.keyboard.press("Escape")
    assert drawer.is_hidden()
    assert page.evaluate("document.activeElement.dataset.appointment") == str(doras_appointment.pk)

    page.get_by_role("link", name="Month").click()
    page.locator(f'button[data-appointment="{emils_appointment.pk}"]').wait_for()
    shoot(page, "panel-calendar-month", widths=("phone", "desktop"), full_page=False)
