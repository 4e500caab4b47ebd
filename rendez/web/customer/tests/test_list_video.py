"""The customer's list (/my/<slug>/): each upcoming video appointment has its join button, the passcode as its
tooltip, until the appointment ends, as on the manage page; never a host link, never a meeting being replaced
or deleted. In Chromium at desktop and phone width too."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.scheduling import services
from rendez.scheduling.models import Booking, Service
from rendez.scheduling.tests.factories import make_service, make_staff
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff, settle
from rendez.web.customer.tests.bookings import book, next_monday
from rendez.web.tests.emails import sent
from rendez.web.tests.screens import DESKTOP, PHONE

JOIN_URL = "https://zoom.example/j/81234567890?pwd=abc"


def sign_in(client, mailoutbox) -> None:
    client.post("/my/alice/", {"email": "charlie@example.com"})
    client.post(re.findall(r"/my/alice/sign-in/\S+", sent(mailoutbox)[-1].body)[0])


def rows(body: str) -> list[str]:
    upcoming = body.split("<h2>Upcoming</h2>")[1].split("<h2>Past</h2>")[0]
    return upcoming.split('<li class="card">')[1:]


@pytest.fixture
def video(alice, dora) -> Service:  # noqa: F811
    return make_service(alice, dora, name="Video consultation", duration_minutes=30, zoom_enabled=True)


def meeting(booking: Booking, state: str = Meeting.State.READY, **fields) -> Meeting:
    return Meeting.objects.create(
        tenant=booking.tenant,
        appointment=booking.appointment,
        state=state,
        external_id="81234567890",
        join_url=JOIN_URL,
        password="4821",
        **fields,
    )


@pytest.mark.django_db
def test_each_upcoming_video_appointment_has_its_join_button_with_the_passcode(
    client, mailoutbox, video, dora
):
    first = book(video, dora, next_monday(10))
    meeting(first)
    in_person = make_service(dora.tenant, dora, name="Massage", location_type="in_person")
    book(in_person, dora, next_monday(12))
    sign_in(client, mailoutbox)

    body = client.get("/my/alice/").content.decode()

    video_row, massage_row = rows(body)
    assert f'href="{JOIN_URL}"' in video_row.replace("&amp;", "&")
    assert 'title="Passcode: 4821"' in video_row
    assert f'aria-describedby="passcode-{first.pk}"' in video_row
    assert f'id="passcode-{first.pk}" role="tooltip"' in video_row
    assert "zoom.example" not in massage_row and "Video link" not in massage_row
    assert "/s/81234567890" not in body and "zak=" not in body


@pytest.mark.django_db
def test_a_video_appointment_without_a_link_yet_says_it_follows(client, mailoutbox, video, dora):
    book(video, dora, next_monday(10))
    sign_in(client, mailoutbox)

    [row] = rows(client.get("/my/alice/").content.decode())

    # The booking queued its meeting's sync: the link is on its way.
    assert "Video link being prepared" in row and "Passcode" not in row


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["cancelled", "replaced", "ended"])
def test_no_link_for_a_cancelled_seat_a_meeting_being_replaced_or_an_ended_appointment(
    client, mailoutbox, video, dora, how
):
    booking = book(video, dora, next_monday(10))
    record = meeting(booking)
    if how == "cancelled":
        services.cancel_booking(booking)
    elif how == "replaced":
        # Made for another staff member than the appointment has now: its replacement is on its way.
        record.host_staff_id = make_staff(dora.tenant, "Erik").pk
        record.save(update_fields=["host_staff_id"])
    else:
        appointment = booking.appointment
        appointment.start = timezone.now() - timedelta(hours=1)
        appointment.end = timezone.now() - timedelta(minutes=30)
        appointment.save(update_fields=["start", "end"])
    sign_in(client, mailoutbox)

    body = client.get("/my/alice/").content.decode()

    assert JOIN_URL not in body.replace("&amp;", "&") and "4821" not in body


# --- in Chromium ------------------------------------------------------------------------------------------


@pytest.fixture
def real_video_booking(alice, maria, api, zoom) -> Booking:  # noqa: F811
    tenant_settings.update(alice, {"enabled": True})
    connect_staff(api, zoom, maria, MARIA)
    service = make_service(alice, maria, name="Video consultation", duration_minutes=30, zoom_enabled=True)
    booking = book(service, maria, next_monday(10))
    settle()
    return booking


def open_list(browser, live_server, mailoutbox, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/my/alice/")
    page.get_by_label("Your email address").fill("charlie@example.com")
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_text("a sign-in link is on its way").wait_for()
    page.goto(live_server.url + re.findall(r"/my/alice/sign-in/\S+", sent(mailoutbox)[-1].body)[0])
    page.get_by_role("button", name="Show my appointments").click()
    page.get_by_role("heading", name="My appointments").wait_for()
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_the_list_joins_with_the_passcode_on_hover_and_focus(
    live_server, browser, real_video_booking, mailoutbox
):
    record = Meeting.objects.get(appointment=real_video_booking.appointment)
    assert record.state == Meeting.State.READY and record.password
    context, page = open_list(browser, live_server, mailoutbox, viewport=DESKTOP)
    try:
        join = page.get_by_role("link", name="Join video")
        assert join.get_attribute("href") == record.join_url
        assert join.get_attribute("title") == f"Passcode: {record.password}"
        tooltip = page.get_by_role("tooltip")
        assert not tooltip.is_visible()
        join.focus()
        assert tooltip.is_visible() and record.password in tooltip.inner_text()
        assert "zak=" not in page.content()
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_lists_passcode_shows_without_hovering(
    live_server, browser, real_video_booking, mailoutbox
):
    record = Meeting.objects.get(appointment=real_video_booking.appointment)
    context, page = open_list(
        browser, live_server, mailoutbox, viewport=PHONE, is_mobile=True, has_touch=True
    )
    try:
        assert page.get_by_role("link", name="Join video").is_visible()
        assert record.password in page.get_by_role("tooltip").inner_text()
        assert page.get_by_role("tooltip").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
