"""The booking page in the visitor's zone, in Chromium: a browser in New York sees New York times on the time
step as it first opens (no script has to win a race against htmx), books the time it taps, and the details
step, the confirmation page, the confirmation email and its invitation all say that same time."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from rendez.notifications.tests.fixtures import invitation_of, plain_text, workflow
from rendez.notifications.tests.fixtures import run_jobs as run_notifications
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service
from rendez.web.booking.tests.steps import show_day
from rendez.web.booking.tests.test_booking import a_monday
from rendez.web.tests.screens import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK = ZoneInfo("America/New_York")
SUBJECT = "Booked: {service_name}"
BODY = (
    "See you {appointment_date} at {appointment_start_time}–{appointment_end_time} ({appointment_timezone})."
)


@pytest.fixture
def consultation(alice, dora):  # noqa: F811
    workflow(alice, subject_template=SUBJECT, body_template=BODY, attach_invitation=True)
    return make_service(alice, dora, name="Consultation", duration_minutes=30)


def new_yorker(browser, viewport):
    context = browser.new_context(viewport=viewport, timezone_id="America/New_York")
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(10_000)
    return context, page, errors


def first_time_shown(page) -> tuple[str, datetime]:
    """The first time on the time step, as the visitor reads it: its label and what it means in New York."""
    link = page.locator("#slots .slots a").first
    label = link.inner_text().strip()
    day = date.fromisoformat(page.locator("#day").input_value())
    return label, datetime.combine(day, time.fromisoformat(label), tzinfo=NEW_YORK)


def book_and_check(page, live_server, errors, smtp_server, label: str, meant: datetime) -> None:  # noqa: F811
    expect(page.locator("#slots")).to_contain_text("Times in America/New_York")
    page.locator("#slots").get_by_role("link", name=label, exact=True).click()

    end = (meant.hour * 60 + meant.minute + 30) // 60, (meant.minute + 30) % 60
    end_label = f"{end[0]:02d}:{end[1]:02d}"
    summary = page.locator(".card").first
    expect(summary).to_contain_text(f"{label}–{end_label}")
    expect(summary).to_contain_text("America/New_York")
    expect(summary).to_contain_text("with our team")
    page.get_by_label("Your name").fill("Charlie Day")
    page.get_by_label("Email").fill("charlie@example.com")
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    booking = Booking.objects.select_related("appointment", "customer").get()
    assert booking.appointment.start == meant
    assert booking.customer.timezone == "America/New_York"
    when = page.locator(".card").first
    expect(when).to_contain_text(f"{label}–{end_label}")
    expect(when).to_contain_text("America/New_York")

    run_notifications()
    [message] = [m for m in smtp_server.to("charlie@example.com") if m["Subject"] == "Booked: Consultation"]
    text = plain_text(message)
    assert f"at {label}–{end_label} (America/New_York)" in text
    assert f"{meant:%A, %d %B %Y}" in text
    calendar, _ = invitation_of(message)
    [event] = calendar.events
    assert event.dtstart.astimezone(NEW_YORK) == meant
    assert errors == []


def test_a_new_york_visitor_books_the_time_they_see_on_the_first_time_page(
    browser,
    live_server,
    consultation,
    smtp_server,  # noqa: F811
):
    context, page, errors = new_yorker(browser, DESKTOP)
    try:
        page.goto(f"{live_server.url}/book/alice/")
        page.get_by_role("link", name=re.compile("Consultation")).click()
        page.get_by_role("link", name=re.compile("Any available")).click()
        # The time step as it first opens, rendered by the server in the zone the first page detected: no
        # reload, nothing picked again.
        expect(page.locator("#tz")).to_have_value("America/New_York")
        assert page.url.endswith(f"/book/alice/{consultation.pk}/time?staff=any")
        label, meant = first_time_shown(page)
        book_and_check(page, live_server, errors, smtp_server, label, meant)
    finally:
        context.close()


def test_a_link_straight_to_the_time_step_on_a_phone_shows_new_york_times(
    browser,
    live_server,
    consultation,
    smtp_server,  # noqa: F811
):
    context, page, errors = new_yorker(browser, PHONE)
    try:
        page.goto(f"{live_server.url}/book/alice/{consultation.pk}/time?staff=any")
        expect(page).to_have_url(re.compile(r"tz=America%2FNew_York"))
        expect(page.locator("#tz")).to_have_value("America/New_York")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        label, meant = first_time_shown(page)
        book_and_check(page, live_server, errors, smtp_server, label, meant)
    finally:
        context.close()


def test_a_zone_chosen_in_the_box_survives_to_the_details_step_and_back(
    browser,
    live_server,
    consultation,  # noqa: F811
):
    context, page, errors = new_yorker(browser, DESKTOP)
    try:
        page.goto(f"{live_server.url}/book/alice/{consultation.pk}/time?staff=any")
        expect(page.locator("#tz")).to_have_value("America/New_York")
        # A Monday: Dora's hours in Berlin are its evening in Tokyo.
        show_day(page, a_monday().date().isoformat())
        page.locator("#tz").select_option("Asia/Tokyo")
        expect(page.locator("#slots")).to_contain_text("Times in Asia/Tokyo")
        expect(page).to_have_url(re.compile(r"tz=Asia%2FTokyo"))
        page.locator("#slots .slots a").first.click()
        expect(page.locator(".card").first).to_contain_text("Asia/Tokyo")
        page.get_by_role("link", name="Pick another time").click()
        expect(page.locator("#tz")).to_have_value("Asia/Tokyo")
        # A later visit to any step keeps the choice (the cookie), not the browser's zone.
        page.goto(f"{live_server.url}/book/alice/{consultation.pk}/time?staff=any")
        expect(page.locator("#tz")).to_have_value("Asia/Tokyo")
        assert errors == []
    finally:
        context.close()
