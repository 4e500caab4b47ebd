"""The calendar drawer in Chromium: an admin cancels a booking from the drawer, stays on the calendar and sees the
week redraw the event; Escape brings focus back to it."""

from __future__ import annotations

import pytest

from rendez.web.panel.tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_cancels_from_the_week_drawer_and_stays_on_the_calendar(
    live_server, page, ada, doras_appointment, monday
):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email or username").fill("ada@alice.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    calendar = live_server.url + f"/panel/calendar/?date={monday.isoformat()}"
    page.goto(calendar)

    page.locator(f'button[data-appointment="{doras_appointment.pk}"]').click()
    drawer = page.get_by_role("dialog")
    drawer.get_by_role("button", name="Cancel Charlie's booking").click()
    drawer.get_by_test_id("notice").wait_for()
    assert drawer.get_by_test_id("notice").inner_text() == "Charlie's booking is now cancelled."
    assert drawer.locator(".badge", has_text="Cancelled").is_visible()
    assert drawer.get_by_role("button", name="Cancel Charlie's booking").count() == 0
    assert page.url == calendar
    assert page.get_by_role("heading", name="Calendar", exact=False).first.is_visible()
    assert doras_appointment.bookings.get().status == "cancelled"
    # The week behind the drawer redrew itself: the event is struck through, no reload needed.
    event = page.locator(f'button[data-appointment="{doras_appointment.pk}"]')
    event.and_(page.locator(".event-cancelled")).wait_for()
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.dataset.appointment") == str(doras_appointment.pk)
