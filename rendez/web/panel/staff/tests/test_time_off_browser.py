"""Time off over booked appointments in Chromium: the admin is shown the appointment it would fall on and
chooses to cancel it; the staff page's time-zone list offers places only. Screenshot of the question at
desktop and phone width."""

from __future__ import annotations

import pytest

from rendez.scheduling.models import Booking, TimeOff
from rendez.web.panel.tests.fixtures import sign_in_page
from rendez.web.tests.screens import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_time_off_over_a_booking_asks_then_cancels_it(
    live_server, page, ada, dora, doras_appointment, monday
):
    sign_in_page(page, live_server, "ada@alice.example")
    page.goto(f"{live_server.url}/panel/staff/{dora.pk}/")
    zones = page.get_by_label("Time zone").locator("option").all_inner_texts()
    assert "Europe/Berlin" in zones and "America/New York" in zones
    assert not {"localtime", "Factory", "posixrules", "US/Pacific"} & set(zones)

    page.get_by_label("Away from").fill(f"{monday.isoformat()}T09:00")
    page.get_by_label("Back at").fill(f"{monday.isoformat()}T13:00")
    page.get_by_role("button", name="Add time off").click()

    page.get_by_role("heading", name="1 appointment is booked during this time off").wait_for()
    assert "Charlie" in page.get_by_test_id("booked-during").inner_text()
    assert not TimeOff.objects.exists()
    shoot(page, "panel-time-off-over-bookings")

    page.get_by_role("button", name="Add time off and cancel them (customers are told)").click()
    page.get_by_text("1 booking cancelled and the customers told").wait_for()
    assert TimeOff.objects.filter(staff=dora).count() == 1
    assert doras_appointment.bookings.get().status == Booking.Status.CANCELLED
