"""The calendar drawer in Chromium: an admin cancels or reschedules from the drawer, stays on the calendar and
sees the week redraw the event; Escape brings focus back to it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rendez.web.panel.tests.fixtures import berlin, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_cancels_from_the_week_drawer_and_stays_on_the_calendar(
    live_server, page, ada, doras_appointment, monday
):
    sign_in_page(page, live_server, "ada@alice.example")
    calendar = live_server.url + f"/panel/calendar/?date={monday.isoformat()}"
    page.goto(calendar)

    page.locator(f'button[data-appointment="{doras_appointment.pk}"]').click()
    drawer = page.get_by_role("dialog")
    drawer.get_by_role("button", name="Cancel Charlie's booking").click()
    # One click cancels nothing: the drawer asks first.
    drawer.get_by_test_id("confirm-status").wait_for()
    assert doras_appointment.bookings.get().status == "confirmed"
    drawer.get_by_role("button", name="Yes, cancel it").click()
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


def test_an_admin_reschedules_from_the_drawer_and_the_event_moves_in_the_week(
    live_server, page, ada, doras_appointment, monday
):
    sign_in_page(page, live_server, "ada")
    page.goto(live_server.url + f"/panel/calendar/?date={monday.isoformat()}")
    tuesday = monday + timedelta(days=1)
    monday_cell = page.locator(".calendar-cell").nth(0)
    tuesday_cell = page.locator(".calendar-cell").nth(1)
    assert monday_cell.locator(f'button[data-appointment="{doras_appointment.pk}"]').count() == 1

    monday_cell.locator(f'button[data-appointment="{doras_appointment.pk}"]').click()
    drawer = page.get_by_role("dialog")
    drawer.get_by_label("New start").fill(f"{tuesday.isoformat()}T14:00")
    drawer.get_by_role("button", name="Move the appointment").click()
    tuesday_cell.locator(f'button[data-appointment="{doras_appointment.pk}"]').wait_for()
    assert "14:00–14:30" in tuesday_cell.inner_text()
    assert monday_cell.locator(f'button[data-appointment="{doras_appointment.pk}"]').count() == 0
    doras_appointment.refresh_from_db()
    assert doras_appointment.start == berlin(tuesday, 14)
