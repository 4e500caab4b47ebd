"""Actions in the details drawer: asked by htmx, cancel / status / reschedule / retry answer with the
refreshed details fragment and an `HX-Trigger`; without htmx they still redirect to the details page."""

from __future__ import annotations

import json

import pytest

from rendez.conferencing.models import Meeting
from rendez.scheduling.models import Booking
from rendez.web.panel.tests.fixtures import berlin, make_meeting, signed_in

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _url(appointment, rest: str = "") -> str:
    return f"/panel/appointments/{appointment.pk}/{rest}"


def _trigger(response) -> dict:
    return json.loads(response["HX-Trigger"])


def test_the_drawer_fragment_posts_its_forms_with_htmx_and_the_page_does_not(ada_client, doras_appointment):
    fragment = ada_client.get(_url(doras_appointment), headers=HTMX).content.decode()
    booking = doras_appointment.bookings.get()
    assert f'hx-post="{_url(doras_appointment, f"bookings/{booking.pk}/cancel/")}"' in fragment
    assert 'hx-target="closest article.details"' in fragment
    page = ada_client.get(_url(doras_appointment)).content.decode()
    assert "hx-post" not in page


def test_cancel_from_the_drawer_answers_with_the_refreshed_fragment(ada_client, doras_appointment):
    booking = doras_appointment.bookings.get()
    asked = ada_client.post(_url(doras_appointment, f"bookings/{booking.pk}/cancel/"), headers=HTMX)
    assert asked.status_code == 200 and "HX-Trigger" not in asked
    assert 'data-testid="confirm-status"' in asked.content.decode() and "<html" not in asked.content.decode()
    response = ada_client.post(
        _url(doras_appointment, f"bookings/{booking.pk}/cancel/"), {"confirmed": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "Cancelled" in body and "booking is now cancelled." in body
    assert _trigger(response) == {"appointment-changed": {"id": doras_appointment.pk}}
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    # The notice went into the fragment, not into the next page's messages.
    assert "is now cancelled" not in ada_client.get("/panel/appointments/").content.decode()


def test_a_refusal_in_the_drawer_is_swapped_in_with_its_words(dora_client, doras_appointment):
    booking = doras_appointment.bookings.get()
    response = dora_client.post(
        _url(doras_appointment, f"bookings/{booking.pk}/status/"), {"status": "completed"}, headers=HTMX
    )
    assert response.status_code == 200 and "HX-Trigger" not in response
    assert "can be marked completed only once its appointment has begun" in response.content.decode()


def test_reschedule_and_retry_from_the_drawer(ada_client, dora, doras_appointment, monday):
    response = ada_client.post(
        _url(doras_appointment, "reschedule/"), {"start": f"{monday}T14:00", "staff": dora.pk}, headers=HTMX
    )
    assert response.status_code == 200 and "14:00" in response.content.decode()
    assert _trigger(response)["appointment-changed"]["id"] == doras_appointment.pk
    doras_appointment.refresh_from_db()
    assert doras_appointment.start == berlin(monday, 14)
    make_meeting(doras_appointment, Meeting.State.FAILED, last_error="Zoom said no.")
    retried = ada_client.post(_url(doras_appointment, "retry/"), headers=HTMX)
    assert retried.status_code == 200 and "is being made again" in retried.content.decode()


def test_without_htmx_the_actions_still_redirect(ada_client, doras_appointment):
    booking = doras_appointment.bookings.get()
    response = ada_client.post(_url(doras_appointment, f"bookings/{booking.pk}/cancel/"), {"confirmed": "1"})
    assert response.status_code == 302 and response["Location"] == _url(doras_appointment)
    assert "HX-Trigger" not in response


def test_drawer_posts_are_refused_to_outsiders_and_without_csrf(
    olga_client, ada, alice, doras_appointment, emils_appointment, dora_client
):
    booking = doras_appointment.bookings.get()
    url = _url(doras_appointment, f"bookings/{booking.pk}/cancel/")
    assert olga_client.post(url, headers=HTMX).status_code == 404
    emils = emils_appointment.bookings.get()
    assert (
        dora_client.post(_url(emils_appointment, f"bookings/{emils.pk}/cancel/"), headers=HTMX).status_code
        == 404
    )
    no_token = signed_in(ada, alice, enforce_csrf_checks=True)
    assert no_token.post(url, headers=HTMX).status_code == 403
    booking.refresh_from_db()
    emils.refresh_from_db()
    assert booking.status == emils.status == Booking.Status.CONFIRMED
