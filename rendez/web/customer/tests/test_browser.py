"""The customer panel in Chromium: a real meeting made on the Zoom emulator by the real worker, then the
manage link opened, the passcode found, the booking moved and cancelled, at desktop and phone width."""

from __future__ import annotations

import re

import pytest

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff, settle
from rendez.web.customer.tests.bookings import book, next_monday
from rendez.web.tests.emails import sent
from rendez.web.tests.screens import DESKTOP, PHONE, SCREENSHOTS, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def video_booking(alice, maria, api, zoom) -> Booking:  # noqa: F811
    tenant_settings.update(alice, {"enabled": True})
    connect_staff(api, zoom, maria, MARIA)
    service = make_service(alice, maria, name="Video consultation", duration_minutes=30, zoom_enabled=True)
    booking = book(service, maria, next_monday(10))
    settle()
    return booking


def host_link_parts(meeting: Meeting) -> list[str]:
    """What only the host's start link carries: its path on the emulator and its `zak`."""
    return [f"/s/{meeting.external_id}", "zak="]


def test_the_manage_link_shows_the_video_button_and_the_passcode(live_server, browser, video_booking):
    meeting = Meeting.objects.get(appointment=video_booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.password

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/manage/{video_booking.manage_token}")

    join = page.get_by_role("link", name="Join video meeting")
    assert join.get_attribute("href") == meeting.join_url
    assert join.get_attribute("title") == f"Passcode: {meeting.password}"
    tooltip = page.get_by_role("tooltip")
    assert not tooltip.is_visible()
    join.focus()  # keyboard users get the tooltip too
    assert tooltip.is_visible() and meeting.password in tooltip.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "customer-manage-desktop.png"), full_page=True)
    html = page.content()
    for part in host_link_parts(meeting):
        assert part not in html
    context.close()


def test_on_a_phone_the_passcode_shows_without_hovering(live_server, browser, video_booking):
    meeting = Meeting.objects.get(appointment=video_booking.appointment)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{live_server.url}/manage/{video_booking.manage_token}")

    assert page.get_by_role("link", name="Join video meeting").is_visible()
    assert page.get_by_role("tooltip").is_visible()
    assert meeting.password in page.get_by_role("tooltip").inner_text()
    assert page.get_by_role("link", name="Reschedule").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SCREENSHOTS / "customer-manage-phone.png"), full_page=True)

    page.get_by_role("link", name="Reschedule").click()
    page.get_by_role("heading", name="Pick a new time").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SCREENSHOTS / "customer-reschedule-phone.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_customer_reschedules_then_cancels_from_the_manage_page(live_server, page, alice, dora, viewport):  # noqa: F811
    page.set_viewport_size(viewport)
    service = make_service(alice, dora, name="Consultation", duration_minutes=30)
    booking = book(service, dora, next_monday(10))
    page.goto(f"{live_server.url}/manage/{booking.manage_token}")

    page.get_by_role("link", name="Reschedule").click()
    page.get_by_label("Show free times from").fill(f"{next_monday(10):%Y-%m-%d}")
    page.get_by_role("button", name="Show").click()
    page.get_by_role(
        "button", name=f"{next_monday(10):%A} {next_monday(10).day} {next_monday(10):%B} 14:00"
    ).click()
    # Nothing moves on one tap: the new time is shown and asked about, with room for a reason.
    page.get_by_role("heading", name="Move this appointment?").wait_for()
    booking.refresh_from_db()
    assert booking.appointment.start == next_monday(10)
    page.get_by_label("Reason (optional)").fill("A meeting came up")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.get_by_role("button", name="Yes, move it").click()

    page.get_by_text("Your appointment is moved").wait_for()
    assert "14:00–14:30" in page.locator(".facts").inner_text()
    booking.refresh_from_db()
    assert booking.appointment.start == next_monday(14)

    page.get_by_role("link", name="Cancel booking").click()
    page.get_by_label("Reason (optional)").fill("Feeling better")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.get_by_role("button", name="Yes, cancel my booking").click()

    page.get_by_text("Your booking is cancelled").wait_for()
    assert page.get_by_role("link", name="Reschedule").count() == 0
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    # Staff read both reasons in the booking's history, given by the customer.
    history = [(c.kind, c.reason, c.by_customer) for c in booking.changes.all()]
    assert history == [("cancelled", "Feeling better", True), ("rescheduled", "A meeting came up", True)]


def test_a_customer_signs_in_by_email_and_opens_a_booking(live_server, page, alice, dora, mailoutbox):  # noqa: F811
    service = make_service(alice, dora, name="Consultation", duration_minutes=30)
    booking = book(service, dora, next_monday(10))
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/my/alice/")

    page.get_by_label("Your email address").fill("charlie@example.com")
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_text("a sign-in link is on its way").wait_for()

    path = re.findall(r"/my/alice/sign-in/\S+", sent(mailoutbox)[-1].body)[0]
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Show my appointments").click()
    page.get_by_role("heading", name="My appointments").wait_for()
    shoot(page, "customer-appointments")

    page.get_by_role("link", name="Consultation").click()
    assert page.url.endswith(f"/manage/{booking.manage_token}")
