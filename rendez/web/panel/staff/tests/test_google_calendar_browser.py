"""A staff member's Google Calendar in Chromium, over HTTP against the Google and Zoom emulators: Maria
connects it on "My schedule" through the emulator's consent page; a dentist appointment she puts in Google
takes its times off the public booking page after a sync; a visitor books another time, and the appointment
appears in her Google calendar carrying the Zoom join link.

Jobs run through the real worker in this thread, as `rendez worker` would beside the server.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from google_emulator.testing import RunningEmulator
from rendez.calendars.models import CalendarConnection
from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service
from rendez.tenants.models import Membership
from rendez.tests.integrations.google.world import (
    CLIENT_ID,
    MARIA,
    settle,
    sync_now,
)
from rendez.tests.integrations.zoom.fixtures import MARIA as MARIA_ZOOM
from rendez.tests.integrations.zoom.fixtures import connect_staff
from rendez.web.panel.staff.tests.calendar_steps import connect_on_my_schedule
from rendez.web.panel.tests.fixtures import PASSWORD, a_monday, berlin, sign_in_page
from rendez.web.tests.screens import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def maria_on_zoom(api, zoom, alice, maria):
    """Maria hosts Zoom meetings with her own Zoom account (connected before the server's address is set)."""
    tenant_settings.update(alice, {"enabled": True})
    return connect_staff(api, zoom, maria, MARIA_ZOOM)


@pytest.fixture
def google_here(settings, live_server, maria_on_zoom, google) -> RunningEmulator:
    """The Google emulator (the shared `google` fixture), sending browsers back to the live server."""
    settings.BASE_URL = live_server.url
    google.control.add_redirect_uri(CLIENT_ID, f"{live_server.url}/integrations/google/callback")
    return google


@pytest.fixture
def maria_signs_in(maria, django_user_model):
    user = django_user_model.objects.create_user("maria", MARIA, PASSWORD)
    Membership.objects.create(user=user, tenant=maria.tenant, role=Membership.Role.STAFF)
    maria.user = user
    maria.save(update_fields=["user"])
    return user


def times_shown(page, url: str) -> list[str]:
    page.goto(url)
    page.locator("#slots").wait_for()
    return [text.strip() for text in page.locator("#slots .slots a").all_inner_texts()]


def test_a_connected_google_calendar_blocks_times_and_receives_the_booking_with_the_zoom_link(
    live_server, browser, page, alice, maria, maria_signs_in, google_here, zoom
):
    google = google_here
    video = make_service(alice, maria, name="Video consultation", duration_minutes=30, zoom_enabled=True)
    monday = a_monday()
    sign_in_page(page, live_server, "maria")
    connect_on_my_schedule(
        page, live_server, "google", f"{google.oauth_base_url}/o/oauth2/v2/auth", MARIA, allow="allow"
    )
    settle()  # the first sync and the initial backfill, as the worker would run them
    page.reload()
    expect(
        page.get_by_test_id("google-choice").get_by_label("Calendar that receives appointments")
    ).to_have_value(MARIA)
    shoot(page, "panel-my-calendars")

    visitor = browser.new_page()
    day_url = (
        f"{live_server.url}/book/{alice.slug}/{video.pk}/time"
        f"?staff={maria.pk}&date={monday.isoformat()}&tz=Europe/Berlin"
    )
    assert "10:00" in times_shown(visitor, day_url)
    google.control.user_creates_event(
        MARIA,
        {
            "summary": "Dentist",
            "start": {"dateTime": berlin(monday, 10).isoformat(), "timeZone": "Europe/Berlin"},
            "end": {"dateTime": berlin(monday, 11).isoformat(), "timeZone": "Europe/Berlin"},
        },
    )
    sync_now(CalendarConnection.objects.get(staff=maria))
    shown = times_shown(visitor, day_url)
    assert "10:00" not in shown and "10:30" not in shown and "09:30" in shown and "14:00" in shown

    visitor.locator("#slots .slots a", has_text="14:00").click()
    visitor.get_by_label("Your name").fill("Charlie Day")
    visitor.get_by_label("Email").fill("charlie@example.com")
    visitor.get_by_role("button", name="Book").click()
    expect(visitor.get_by_role("heading", name="You're booked")).to_be_visible()
    settle()  # the Zoom meeting, then the calendar event that carries its link

    booking = Booking.objects.select_related("appointment").get()
    assert booking.appointment.start == berlin(monday, 14)
    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.join_url
    [event] = [
        event
        for event in google.control.state()["events"]
        if event["calendarId"] == MARIA and event.get("summary") != "Dentist"
    ]
    assert event["location"] == meeting.join_url
    assert meeting.join_url in event["description"] and meeting.password in event["description"]
    assert event["start"]["dateTime"] == berlin(monday, 14).isoformat()
    assert event["end"]["dateTime"] == (berlin(monday, 14) + timedelta(minutes=30)).isoformat()
    visitor.close()
