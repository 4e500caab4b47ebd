"""A yoga studio's weekly video class in Chromium: a customer books a weekly series of 4 from the public page,
sees one date is taken and chooses to book the free ones, gets one meeting per date from the Zoom emulator
(the real worker), then cancels the third date alone from its /manage page."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.scheduling import services
from rendez.scheduling.models import Booking, Series
from rendez.scheduling.tests.factories import customer, make_service
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff, run_jobs
from rendez.web.booking.tests.steps import show_day
from rendez.web.tests.screens import DESKTOP, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")


def a_monday() -> datetime:
    today = timezone.now().astimezone(BERLIN).date()
    return datetime.combine(today + timedelta(days=14 - today.weekday()), time(10), tzinfo=BERLIN)


def drain() -> None:
    for _ in range(30):
        if not run_jobs():
            return


def test_a_customer_books_a_weekly_series_of_four_and_cancels_the_third_date_from_manage(
    live_server,
    browser,
    zoom,  # noqa: F811
    api,  # noqa: F811
    alice,  # noqa: F811
    maria,  # noqa: F811
):
    connect_staff(api, zoom, maria, MARIA)
    tenant_settings.update(alice, {"enabled": True})
    # A one-to-one weekly class, so a date another customer holds is taken for Charlie.
    vinyasa = make_service(
        alice, maria, name="Private vinyasa", duration_minutes=60, zoom_enabled=True, series_allowed=True
    )
    monday = a_monday()
    services.book(service=vinyasa, staff=maria, start=monday + timedelta(weeks=4), customer=customer("Erin"))
    context = browser.new_context(viewport=DESKTOP, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(f"{live_server.url}/book/alice/")
    page.get_by_role("link", name=re.compile("Private vinyasa")).click()
    page.get_by_role("link", name="Maria Koch").click()
    show_day(page, monday.date().isoformat())
    page.locator("#slots").get_by_role("link", name="10:00", exact=True).click()
    page.get_by_label("Your name").fill("Charlie Day")
    page.get_by_label("Email").fill("charlie@example.com")
    page.get_by_label("Repeat").select_option(label="Every week")
    page.get_by_label("How many times").fill("5")
    page.get_by_role("button", name="Book").click()

    # Nothing is booked yet: the dates, one of them taken, and a clear question.
    expect(page.get_by_text("4 of 5 dates are free")).to_be_visible()
    dates = page.get_by_role("list", name="Dates of the series").get_by_role("listitem")
    expect(dates).to_have_count(5)
    expect(dates.nth(4)).to_contain_text("Not available")
    assert Series.objects.count() == 0
    shoot(page, "series-check")
    page.get_by_role("button", name="Book the 4 free dates").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(page.get_by_role("heading", name="Your 4 dates")).to_be_visible()
    series = Series.objects.get()
    bookings = list(series.bookings.order_by("appointment__start"))
    assert [b.appointment.start for b in bookings] == [monday + timedelta(weeks=n) for n in range(4)]
    drain()
    meetings = Meeting.objects.filter(appointment__bookings__in=bookings, state=Meeting.State.READY)
    assert len({m.external_id for m in meetings}) == 4

    # The third date's own page, from the confirmation's list.
    page.get_by_role("list", name="Your dates").get_by_role("link").nth(2).click()
    expect(page.get_by_role("heading", name="Part of a series")).to_be_visible()
    third = bookings[2]
    assert page.url.endswith(f"/manage/{third.manage_token}")
    page.get_by_role("link", name="Cancel booking").click()
    expect(page.get_by_text("This appointment is part of a series. Cancel:")).to_be_visible()
    expect(page.get_by_label("Only this date")).to_be_checked()
    shoot(page, "series-cancel-scope")
    page.get_by_role("button", name="Yes, cancel my booking").click()

    expect(page.get_by_text("Your booking is cancelled.")).to_be_visible()
    statuses = [Booking.objects.get(pk=b.pk).status for b in bookings]
    assert statuses == ["confirmed", "confirmed", "cancelled", "confirmed"]
    drain()
    third_meeting = Meeting.objects.get(appointment=third.appointment)
    assert third_meeting.state == Meeting.State.DELETED
    others = Meeting.objects.filter(appointment__bookings__in=[bookings[n] for n in (0, 1, 3)])
    assert {m.state for m in others} == {Meeting.State.READY}
    context.close()
