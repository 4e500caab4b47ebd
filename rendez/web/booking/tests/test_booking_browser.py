"""The public booking page in Chromium: a visitor in New York books a video consultation in Berlin and sees
the join link appear on the confirmation page without reloading it; an in-person class booked on a phone.
Zoom is the emulator over HTTP; the meeting's sync job runs through the real worker while the page polls."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rendez.integrations.zoom import tenant_settings
from rendez.scheduling import services
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import customer, make_service
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff, run_jobs
from rendez.web.booking.tests.steps import show_day
from rendez.web.tests.screens import DESKTOP, PHONE, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")


def a_monday() -> datetime:
    today = timezone.now().astimezone(BERLIN).date()
    return datetime.combine(today + timedelta(days=14 - today.weekday()), time(10), tzinfo=BERLIN)


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def visitor(browser):
    """A browser in New York: the booking page should notice and show times there."""
    context = browser.new_context(viewport=DESKTOP, timezone_id="America/New_York")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def pick_day_and_time(page, day: str, label: str) -> None:
    show_day(page, day)
    page.locator("#slots").get_by_role("link", name=label, exact=True).click()


def test_a_visitor_books_a_video_service_and_the_join_link_appears_without_reload(
    live_server,
    visitor,
    zoom,  # noqa: F811
    api,  # noqa: F811
    alice,  # noqa: F811
    maria,  # noqa: F811
):
    connect_staff(api, zoom, maria, MARIA)
    tenant_settings.update(alice, {"enabled": True})
    make_service(alice, maria, name="Video consultation", duration_minutes=30, zoom_enabled=True)
    page = visitor
    monday = a_monday()

    page.goto(f"{live_server.url}/book/alice/")
    expect(page.get_by_text("Video meeting (Zoom)")).to_be_visible()
    page.get_by_role("link", name=re.compile("Video consultation")).click()
    page.get_by_role("link", name="Maria Koch").click()
    # The browser's zone was detected and the times reloaded in it.
    expect(page.locator("#tz")).to_have_value("America/New_York")
    show_day(page, monday.date().isoformat())
    # 10:00 in Berlin is 04:00 in New York.
    expect(page.locator("#slots").get_by_role("link", name="04:00", exact=True)).to_be_visible()
    shoot(page, "booking-time-desktop")
    page.locator("#slots").get_by_role("link", name="04:00", exact=True).click()

    page.get_by_label("Your name").fill("Charlie Day")
    page.get_by_label("Email").fill("charlie@example.com")
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    booking = Booking.objects.get()
    assert booking.appointment.start == monday
    assert page.url.startswith(f"{live_server.url}/book/alice/done/{booking.manage_token}")
    expect(page.locator("#meeting")).to_contain_text("Preparing your meeting link")
    page.evaluate("window.stillTheSamePage = true")

    for _ in range(5):
        if not run_jobs():
            break

    expect(page.locator("#meeting .join")).to_be_visible()
    meeting = booking.appointment.meeting
    meeting.refresh_from_db()
    expect(page.locator("#meeting .join")).to_have_attribute("href", meeting.join_url)
    expect(page.locator(".passcode")).to_have_text(meeting.password)
    # The Google Calendar button was swapped with the link for one that carries it and the passcode.
    google = page.locator("#google-calendar")
    expect(google).to_have_count(1)
    details = parse_qs(urlparse(google.get_attribute("href")).query)["details"][0]
    assert meeting.join_url in details and f"Passcode: {meeting.password}" in details
    assert page.evaluate("window.stillTheSamePage") is True
    content = page.content()
    assert "zak=" not in content and "/s/" not in content
    expect(page.get_by_role("link", name="Manage your booking")).to_have_attribute(
        "href", f"/manage/{booking.manage_token}"
    )
    shoot(page, "booking-done-desktop")


def test_an_in_person_class_is_booked_on_a_phone(live_server, page, alice, maria):  # noqa: F811
    page.set_viewport_size(PHONE)
    make_service(alice, maria, name="Yoga", duration_minutes=60, capacity=5, location_type="in_person")
    monday = a_monday()

    page.goto(f"{live_server.url}/book/alice/")
    assert fits_the_width(page)
    page.get_by_role("link", name=re.compile("Yoga")).click()
    page.get_by_role("link", name=re.compile("Any available")).click()
    page.locator("#tz").select_option("Europe/Berlin")
    show_day(page, monday.date().isoformat())
    expect(page.locator("#slots").get_by_role("link", name="10:00", exact=True)).to_be_visible()
    assert fits_the_width(page)
    shoot(page, "booking-time-phone")
    page.locator("#slots").get_by_role("link", name="10:00", exact=True).click()

    page.get_by_role("button", name="Book").click()
    expect(page.locator("#id_name-errors")).to_have_text("This field is required.")
    page.get_by_label("Your name").fill("Dave")
    page.get_by_label("Email").fill("dave@example.com")
    # A group class: several seats, up to what is left, and a note for the teacher.
    expect(page.get_by_label("Seats")).to_be_visible()
    page.get_by_label("Seats").select_option("2")
    page.get_by_label("Notes (optional)").fill("One of us is new to yoga")
    assert fits_the_width(page)
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(page.get_by_text("Yoga")).to_be_visible()
    expect(page.locator("#meeting")).to_have_count(0)
    booking = Booking.objects.get()
    assert booking.appointment.start == monday
    assert booking.party_size == 2 and booking.notes == "One of us is new to yoga"
    assert fits_the_width(page)
    shoot(page, "booking-done-phone")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_cancelled_bookings_confirmation_page_says_cancelled(live_server, page, alice, maria, viewport):  # noqa: F811
    page.set_viewport_size(viewport)
    service = make_service(alice, maria, name="Consultation", duration_minutes=30)
    booking = services.book(service=service, staff=maria, start=a_monday(), customer=customer("Charlie"))
    services.cancel_booking(booking)

    page.goto(f"{live_server.url}/book/alice/done/{booking.manage_token}")

    expect(page.get_by_role("heading", name="This booking is cancelled")).to_be_visible()
    expect(page.get_by_role("heading", name="You're booked")).to_have_count(0)
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_have_count(0)
    expect(page.get_by_role("link", name="Google Calendar")).to_have_count(0)
    expect(page.get_by_role("link", name="book another time")).to_be_visible()
    assert fits_the_width(page)
