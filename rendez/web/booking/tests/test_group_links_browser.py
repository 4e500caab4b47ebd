"""Per-attendee links in Chromium: three customers each book a seat of the same group class on the public
booking page, in their own browsers. Each sees their own join link appear on the confirmation page, gets it in
their confirmation email (and its invitation) and on /manage, and that link lets them into the Zoom meeting
while the meeting's shared link does not. Zoom is the emulator over HTTP; every job runs through the real
worker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rendez.conferencing.models import Meeting, Registrant
from rendez.integrations.zoom import tenant_settings
from rendez.notifications.tests.fixtures import invitation_of, plain_text, workflow
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff, run_jobs
from rendez.web.booking.tests.steps import show_day
from rendez.web.booking.tests.test_booking_browser import a_monday
from rendez.web.panel.tests.fixtures import sign_in_page
from rendez.web.tests.screens import DESKTOP, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [("Ann Lee", "ann@example.com"), ("Ben Ode", "ben@example.com"), ("Cleo Park", "cleo@example.com")]


@pytest.fixture
def group_class(zoom, api, alice, maria):  # noqa: F811
    connect_staff(api, zoom, maria, MARIA)
    tenant_settings.update(alice, {"enabled": True})
    workflow(
        alice,
        subject_template="Booked: {service_name}",
        body_template="Hello {customer_name}, join here: {zoom_meeting_url}",
        attach_invitation=True,
    )
    return make_service(
        alice,
        maria,
        name="Group class",
        duration_minutes=60,
        capacity=10,
        zoom_enabled=True,
        per_attendee_links=True,
    )


def drain() -> None:
    for _ in range(8):
        if not run_jobs():
            return


def book_a_seat(browser, live_server, name: str, email: str) -> tuple:
    context = browser.new_context(viewport=DESKTOP, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/book/alice/")
    page.get_by_role("link", name=re.compile("Group class")).click()
    page.get_by_role("link", name="Maria Koch").click()
    show_day(page, a_monday().date().isoformat())
    page.locator("#slots").get_by_role("link", name="10:00", exact=True).click()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    return context, page


def test_three_customers_each_get_their_own_link(browser, live_server, group_class, smtp_server):  # noqa: F811
    seats = [book_a_seat(browser, live_server, name, email) for name, email in PEOPLE]
    try:
        drain()
        bookings = {b.customer.email: b for b in Booking.objects.select_related("customer", "appointment")}
        assert len({b.appointment_id for b in bookings.values()}) == 1
        meeting = Meeting.objects.get()
        assert meeting.registration == Meeting.Registration.ON
        links = {}
        for (_, email), (_, page) in zip(PEOPLE, seats, strict=True):
            own = Registrant.objects.get(booking=bookings[email]).join_url
            links[email] = own
            # The confirmation page shows the customer's own link, without a reload.
            expect(page.locator("#meeting .join")).to_have_attribute("href", own)
            # So do the email and its invitation.
            [message] = smtp_server.to(email)
            assert own in plain_text(message)
            calendar, _ = invitation_of(message)
            [event] = calendar.events
            assert event.location == own
            # And /manage.
            page.goto(f"{live_server.url}/manage/{bookings[email].manage_token}")
            expect(page.locator("#video a.button")).to_have_attribute("href", own)
        assert len(set(links.values())) == 3 and meeting.join_url not in links.values()

        # Each link lets its holder into the meeting; the shared one asks for registration.
        _, ann_page = seats[0]
        ann_page.goto(links["ann@example.com"])
        expect(ann_page.get_by_role("button", name="Join")).to_be_visible()
        ann_page.goto(meeting.join_url)
        expect(ann_page.get_by_text("This meeting requires registration")).to_be_visible()
    finally:
        for context, _ in seats:
            context.close()


def test_staff_see_each_attendees_link_state_and_a_cancelled_seat_loses_its_link(
    browser,
    live_server,
    group_class,
    ada,  # noqa: F811
):
    seats = [book_a_seat(browser, live_server, name, email) for name, email in PEOPLE]
    for context, _ in seats:
        context.close()
    drain()
    appointment_id = Booking.objects.values_list("appointment_id", flat=True).first()
    ben = Booking.objects.get(customer__email="ben@example.com")
    ben_link = Registrant.objects.get(booking=ben).join_url

    context = browser.new_context(viewport=DESKTOP, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in_page(page, live_server, "ada@alice.example")
        page.goto(f"{live_server.url}/panel/appointments/{appointment_id}/")
        expect(page.get_by_test_id("meeting-links")).to_contain_text("A personal link for each attendee")
        attendees = page.get_by_test_id("attendee-link")
        expect(attendees).to_have_count(3)
        for name, _ in PEOPLE:
            expect(attendees.filter(has_text=name)).to_contain_text("Registered")
        shoot(page, "panel-attendee-links", widths=("desktop",))

        page.get_by_role("button", name="Cancel Ben Ode's booking").click()
        page.get_by_role("button", name="Yes, cancel it").click()
        drain()
        page.goto(f"{live_server.url}/panel/appointments/{appointment_id}/")
        expect(attendees.filter(has_text="Ben Ode")).to_contain_text("Cancelled")
        expect(attendees.filter(has_text="Ann Lee")).to_contain_text("Registered")
        # Ben's own link no longer lets anyone in.
        page.goto(ben_link)
        expect(page.get_by_text("Your registration for this meeting is cancelled")).to_be_visible()
    finally:
        context.close()
