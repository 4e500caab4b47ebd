"""Nothing that carries a join link, a passcode, a manage token or a customer's details may be kept by a
browser or a proxy: every such answer says `Cache-Control: no-store` (rendez/lib/cache_control.py), and
following a link away from a page with a manage token in its URL sends no Referer.

Charlie's video consultation with Dora at Alice's Studio has a ready meeting; each test asks for one kind of
page and checks that the secret is in the answer (so the answer is one that matters) and that it is no-store.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client

from rendez.api.tests.fixtures import ApiClient
from rendez.conferencing.models import Meeting
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import book, make_service
from rendez.web.panel.tests.fixtures import berlin, make_meeting
from rendez.web.tests.emails import sent

# The panel tests' settings: passwords hashed fast, the cache cleared around each test.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords", "clear_cache")]


@pytest.fixture
def booking(alice, dora, monday) -> Booking:  # noqa: F811 - the fixtures, imported above
    service = make_service(alice, dora, name="Video consultation", duration_minutes=30, zoom_enabled=True)
    booked = book(service, dora, berlin(monday, 10), "Charlie", now=berlin(monday, 6) - timedelta(days=7))
    make_meeting(booked.appointment)
    return booked


@pytest.fixture
def meeting(booking) -> Meeting:
    return Meeting.objects.get(appointment=booking.appointment)


def assert_no_store(response, *secrets: str) -> None:
    body = response.content.decode()
    for secret in secrets:
        assert secret in body, f"{secret!r} is not in the answer, so this test proves nothing"
    assert "no-store" in response["Cache-Control"], response.get("Cache-Control")


# --- the booking's confirmation, as the customer's browser sees it ------------------------------------------


def test_the_confirmation_page_is_not_stored(client: Client, booking, meeting):
    page = client.get(f"/book/alice/done/{booking.manage_token}")

    assert page.status_code == 200
    assert_no_store(page, meeting.join_url, meeting.password, booking.manage_token)


def test_the_confirmations_meeting_fragment_is_not_stored(client: Client, booking, meeting):
    fragment = client.get(f"/book/alice/done/{booking.manage_token}/meeting")

    assert fragment.status_code == 200
    assert_no_store(fragment, meeting.join_url, meeting.password)


def test_the_calendar_file_is_not_stored(client: Client, booking, meeting):
    ics = client.get(f"/book/alice/done/{booking.manage_token}/booking.ics")

    assert ics.status_code == 200
    # Folded at 75 octets, so look at the unfolded text.
    ics.content = ics.content.replace(b"\r\n ", b"")
    assert_no_store(ics, meeting.join_url, meeting.password, booking.manage_token)


# --- the customer's pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "shown"),
    [("", "password"), ("/video", "password"), ("/reschedule", "token"), ("/cancel", "token")],
)
def test_the_manage_pages_are_not_stored_and_send_no_referrer_away(
    client: Client, booking, meeting, suffix, shown
):
    page = client.get(f"/manage/{booking.manage_token}{suffix}")

    assert page.status_code == 200
    assert_no_store(page, meeting.password if shown == "password" else booking.manage_token)
    # Links to Zoom (or anywhere else) from this page carry no Referer, so the token stays here.
    assert page["Referrer-Policy"] == "same-origin"


def test_the_signed_in_customers_page_is_not_stored(client: Client, booking, mailoutbox):
    client.post("/my/alice/", {"email": "charlie@example.com"})
    sign_in = re.findall(r"/my/alice/sign-in/\S+", sent(mailoutbox)[-1].body)[0]
    assert_no_store(client.get(sign_in))
    client.post(sign_in)

    home = client.get("/my/alice/")

    assert home.status_code == 200
    assert_no_store(home, f"/manage/{booking.manage_token}")


# --- the panel ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/panel/",
        "/panel/dashboard/",
        "/panel/appointments/",
        "/panel/appointments/{appointment}/",
        "/panel/customers/",
        "/panel/customers/{customer}/",
        "/panel/messages/",
        "/panel/messages/deliveries/",
    ],
)
def test_panel_pages_are_not_stored(ada_client: Client, booking, path):  # noqa: F811
    page = ada_client.get(
        path.format(appointment=booking.appointment_id, customer=booking.customer_id), follow=True
    )

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]


def test_the_panels_appointment_shows_the_link_and_is_not_stored(ada_client: Client, booking, meeting):  # noqa: F811
    page = ada_client.get(f"/panel/appointments/{booking.appointment_id}/")

    assert_no_store(page, meeting.join_url, "charlie@example.com")


# --- the API ------------------------------------------------------------------------------------------------


@pytest.fixture
def api(alice_key) -> ApiClient:  # noqa: F811
    return ApiClient(alice_key)


def test_the_apis_booking_answers_are_not_stored(api: ApiClient, booking, meeting):
    answer = api.get(f"/bookings/{booking.pk}")

    assert answer.status_code == 200
    assert_no_store(answer, booking.manage_token, meeting.join_url, meeting.password, "charlie@example.com")
    assert_no_store(api.get("/bookings"), booking.manage_token)
    assert_no_store(api.get(f"/appointments/{booking.appointment_id}"), meeting.join_url)


def test_a_new_bookings_answer_is_not_stored(api: ApiClient, booking):
    slot = api.get(
        "/slots",
        {
            "service_id": booking.appointment.service_id,
            "staff_id": booking.appointment.staff_id,
            "date_from": booking.appointment.start.date().isoformat(),
            "date_to": booking.appointment.start.date().isoformat(),
        },
    ).json()[-1]
    created = api.post(
        "/bookings",
        {
            "service_id": booking.appointment.service_id,
            "staff_id": booking.appointment.staff_id,
            "start": slot["start"],
            "customer": {"name": "Grace", "email": "grace@example.com"},
        },
    )

    assert created.status_code == 201, created.content
    assert_no_store(created, json.loads(created.content)["manage_token"], "grace@example.com")


@pytest.mark.parametrize(
    ("path", "status"), [("/staff", 200), ("/bookings/999999", 404), ("/bookings?status=nonsense", 422)]
)
def test_every_api_answer_is_not_stored(api: ApiClient, path, status):
    """The rule covers the whole API, errors too: no endpoint needs listing to be covered."""
    answer = api.get(path)

    assert answer.status_code == status
    assert "no-store" in answer["Cache-Control"]


def test_a_view_may_still_set_its_own_cache_control(client: Client):
    """The health check says `never_cache` itself; the middleware leaves a view's own choice alone."""
    answer = client.get("/healthz")

    assert answer["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
