"""Booking from the panel in Chromium: an admin picks service, staff and a day, the free times arrive by htmx,
she picks one and a new customer, and lands on the appointment's details."""

from __future__ import annotations

import pytest

from rendez.scheduling.models import Booking
from rendez.web.panel.tests.fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_books_a_new_customer_from_the_panel(live_server, page, ada, consultation, dora, monday):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email or username").fill("ada@alice.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_role("link", name="Book an appointment").click()

    page.get_by_label("Service").select_option(label="Consultation")
    page.get_by_label("Staff member").select_option(label="Dora")
    page.get_by_label("Date").fill(monday.isoformat())
    # Wait for that day's times: today's (with an 11:30 of its own after midnight) are shown until htmx swaps.
    page.locator(f'input[name="start"][value^="{monday.isoformat()}"]').first.wait_for()
    page.get_by_label("11:30").check()
    page.get_by_label("Customer's email").fill("nina@example.com")
    page.get_by_label("Name").fill("Nina")
    page.get_by_role("button", name="Book", exact=True).click()

    page.get_by_role("heading", name="Consultation").wait_for()
    assert "/panel/appointments/" in page.url
    assert page.get_by_text("Booked for Nina").is_visible()
    booking = Booking.objects.get()
    assert booking.customer.email == "nina@example.com"
    assert booking.appointment.start.astimezone(dora.zone).strftime("%H:%M") == "11:30"
