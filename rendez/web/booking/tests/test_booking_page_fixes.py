"""Issue 15 on the public booking page, through Django's test client: the zone every step renders in, seats
and notes, what a cancelled booking's confirmation says, the Google Calendar link's join link, the wording of
"any available", and video services offered only with staff who can host."""

from __future__ import annotations

import html
from urllib.parse import parse_qs, urlparse

import pytest

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.scheduling import services
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import customer, make_service
from rendez.tenants.profile import update_profile
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff
from rendez.web.booking.forms import ZONE_COOKIE
from rendez.web.booking.tests.test_booking import a_monday, details, details_url

pytestmark = pytest.mark.django_db


def google_details(page: str) -> dict[str, list[str]]:
    start = page.index('id="google-calendar"')
    href = page[page.index('href="', start) + 6 :]
    return parse_qs(urlparse(html.unescape(href[: href.index('"')])).query)


# --- the zone ---------------------------------------------------------------------------------------------


def test_the_time_step_renders_in_the_zone_the_browser_reported_without_asking_it_again(client, consultation):  # noqa: F811
    client.cookies[ZONE_COOKIE] = "America/New_York"
    monday = a_monday(10)

    page = client.get(
        f"/book/alice/{consultation.pk}/time", {"staff": "any", "date": monday.date().isoformat()}
    ).content.decode()

    # Dora starts at 09:00 in Berlin, 03:00 in New York.
    assert page.index(">03:00<") < page.index(">04:00<") and "Times in America/New_York" in page
    assert '<option value="America/New_York" selected>' in page
    assert 'data-detect="0"' in page
    assert "tz=America%2FNew_York" in page
    assert "htmx.trigger" not in page and "<script nonce" not in page


def test_a_zone_in_the_address_wins_over_the_cookie_and_an_unknown_one_is_asked_again(client, consultation):  # noqa: F811
    client.cookies[ZONE_COOKIE] = "America/New_York"
    day = a_monday(10).date().isoformat()

    asked = client.get(f"/book/alice/{consultation.pk}/time", {"tz": "Asia/Tokyo", "date": day})
    assert '<option value="Asia/Tokyo" selected>' in asked.content.decode()

    client.cookies[ZONE_COOKIE] = "Not/AZone"
    unknown = client.get(f"/book/alice/{consultation.pk}/time", {"date": day}).content.decode()
    assert '<option value="Europe/Berlin" selected>' in unknown and 'data-detect="1"' in unknown


def test_the_details_step_keeps_the_zone_and_day_for_the_way_back_and_says_our_team(client, consultation):  # noqa: F811
    start = a_monday(10)

    page = client.get(
        details_url(consultation),
        {"staff": "any", "start": start.isoformat(), "tz": "America/New_York"},
    ).content.decode()

    assert "04:00–04:30" in page and "(America/New_York)" in page
    assert "with our team" in page and "Any available" not in page
    back = f"/book/alice/{consultation.pk}/time?staff=any&amp;tz=America%2FNew_York&amp;date={start.date()}"
    assert back in page


# --- seats and notes --------------------------------------------------------------------------------------


def test_a_group_class_offers_the_seats_left_and_books_several(client, yoga, dora):  # noqa: F811
    start = a_monday(10)
    services.book(service=yoga, staff=dora, start=start, customer=customer("Dave"), party_size=2)

    page = client.get(details_url(yoga), {"staff": "any", "start": start.isoformat()}).content.decode()
    assert 'name="party_size"' in page and '<option value="3">3</option>' in page
    assert '<option value="4">' not in page

    too_many = client.post(details_url(yoga), details(yoga, start, party_size="4"))
    assert too_many.status_code == 200
    assert Booking.objects.filter(customer__email="charlie@example.com").count() == 0

    response = client.post(details_url(yoga), details(yoga, start, party_size="3", notes="Bringing mats"))
    assert response.status_code == 302
    booking = Booking.objects.get(customer__email="charlie@example.com")
    assert booking.party_size == 3 and booking.notes == "Bringing mats"
    assert booking.appointment.seats_taken == 5


def test_a_one_to_one_service_asks_no_seats(client, consultation):  # noqa: F811
    page = client.get(
        details_url(consultation), {"staff": "any", "start": a_monday().isoformat()}
    ).content.decode()

    assert 'name="party_size"' not in page and 'name="notes"' in page


# --- the confirmation -------------------------------------------------------------------------------------


def test_a_cancelled_bookings_confirmation_says_so_and_offers_no_calendar(client, consultation, dora):  # noqa: F811
    booking = services.book(service=consultation, staff=dora, start=a_monday(), customer=customer())
    services.cancel_booking(booking)

    page = client.get(f"/book/alice/done/{booking.manage_token}").content.decode()

    assert "This booking is cancelled" in page
    assert "You're booked" not in page
    assert "booking.ics" not in page and "calendar.google.com" not in page
    assert "Preparing your meeting link" not in page


def test_the_google_calendar_link_carries_the_join_link_and_passcode(client, consultation, dora):  # noqa: F811
    booking = services.book(service=consultation, staff=dora, start=a_monday(), customer=customer())
    url = f"/book/alice/done/{booking.manage_token}"
    before = google_details(client.get(url).content.decode())
    assert "zoom.example" not in before["details"][0]

    Meeting.objects.create(
        tenant=booking.tenant,
        appointment=booking.appointment,
        state=Meeting.State.READY,
        external_id="81234567890",
        join_url="https://zoom.example/j/81234567890?pwd=abc",
        password="314159",
    )

    after = google_details(client.get(url).content.decode())
    assert "Join the video meeting: https://zoom.example/j/81234567890?pwd=abc" in after["details"][0]
    assert "Passcode: 314159" in after["details"][0]
    assert after["location"] == ["https://zoom.example/j/81234567890?pwd=abc"]
    # The polled fragment that brings the link replaces the page's button with this one.
    fragment = client.get(f"{url}/meeting?n=3").content.decode()
    assert 'hx-swap-oob="true"' in fragment
    assert "314159" in google_details(fragment)["details"][0]


# --- who is offered for video ----------------------------------------------------------------------------


def test_staff_who_cannot_host_are_left_out_of_video_services(client, alice, dora, maria, api, zoom):  # noqa: F811
    video = make_service(alice, dora, maria, name="Video consultation", zoom_enabled=True)
    in_person = make_service(alice, dora, name="Massage", location_type="in_person")
    tenant_settings.update(alice, {"enabled": True})
    connect_staff(api, zoom, maria, MARIA)

    staff_page = client.get(f"/book/alice/{video.pk}/").content.decode()
    assert "Maria Koch" in staff_page and "Dora" not in staff_page
    assert "Dora" in client.get(f"/book/alice/{in_person.pk}/").content.decode()
    start = a_monday(10)
    client.post(details_url(video), details(video, start, staff=dora.pk))
    assert not Booking.objects.exists()

    response = client.post(details_url(video), details(video, start))
    assert response.status_code == 302
    assert Booking.objects.get().appointment.staff == maria


def test_a_video_service_nobody_can_host_is_not_offered(client, alice, dora):  # noqa: F811
    video = make_service(alice, dora, name="Video consultation", zoom_enabled=True)
    tenant_settings.update(alice, {"enabled": True})

    assert "Video consultation" not in client.get("/book/alice/").content.decode()
    assert client.get(f"/book/alice/{video.pk}/").status_code == 404


def test_the_service_list_names_each_video_services_provider(client, alice, dora):
    # Offered although nobody can host yet: the list shows them all (the link follows once they connect).
    update_profile(alice, {"offer_staff_without_zoom": True})
    make_service(alice, dora, name="Meet call", video_provider="google_meet")
    make_service(alice, dora, name="Teams call", video_provider="teams")
    page = client.get("/book/alice/").content.decode()
    assert "Meet call" in page and "Video meeting (Google Meet)" in page
    assert "Teams call" in page and "Video meeting (Microsoft Teams)" in page
