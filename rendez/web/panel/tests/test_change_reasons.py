"""Reasons in the panel: the confirm step of a cancellation and the reschedule form take an optional reason
for the team; the drawer lists each booking's changes (when, what, who, why). Ada is alice's admin, Dora her
staff member, Olga the outsider (bob's admin)."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from rendez.scheduling import services
from rendez.scheduling.models import Booking, BookingChange
from rendez.web.panel.tests.fixtures import berlin

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _url(appointment, rest: str = "") -> str:
    return f"/panel/appointments/{appointment.pk}/{rest}"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_confirm_step_asks_for_a_reason_and_says_who_sees_it(ada_client, doras_appointment):
    booking = doras_appointment.bookings.get()

    asked = _text(ada_client.post(_url(doras_appointment, f"bookings/{booking.pk}/cancel/"), headers=HTMX))

    assert 'name="reason"' in asked and "Reason (optional)" in asked
    assert "kept in the booking's history and in the emails to staff. The customer does not see it." in asked


def test_an_admin_cancels_with_a_reason_and_the_drawer_lists_it(ada, ada_client, doras_appointment):
    booking = doras_appointment.bookings.get()

    response = ada_client.post(
        _url(doras_appointment, f"bookings/{booking.pk}/status/"),
        {"status": "cancelled", "confirmed": "1", "reason": "Dora is ill"},
        headers=HTMX,
    )

    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    change = booking.changes.get()
    assert (change.kind, change.reason, change.by, change.by_customer) == (
        "cancelled",
        "Dora is ill",
        ada,
        False,
    )
    fragment = _text(response)
    assert 'data-testid="booking-change"' in fragment
    assert "Cancelled</strong> · by ada" in fragment and "Reason: “Dora is ill”" in fragment


def test_a_staff_member_moves_their_appointment_with_a_reason(
    dora, dora_user, dora_client, doras_appointment, monday
):
    dora_user.first_name, dora_user.last_name = "Dora", "Berg"
    dora_user.save()

    response = dora_client.post(
        _url(doras_appointment, "reschedule/"),
        {"start": f"{monday}T14:00", "staff": dora.pk, "reason": "Clash with a training"},
    )

    assert response.status_code == 302
    booking = doras_appointment.bookings.get()
    change = booking.changes.get()
    assert change.summary == (
        f"Moved from {berlin(monday, 10):%a} {monday.day} {monday:%b} 10:00 to "
        f"{berlin(monday, 14):%a} {monday.day} {monday:%b} 14:00 (Europe/Berlin)"
    )
    assert (change.reason, change.by) == ("Clash with a training", dora_user)
    page = _text(dora_client.get(_url(doras_appointment)))
    assert "by Dora Berg" in page and "Reason: “Clash with a training”" in page


def test_the_history_names_the_customer_and_the_api(ada_client, doras_appointment, monday):
    booking = doras_appointment.bookings.get()
    now = berlin(monday, 6) - timedelta(days=7)
    services.reschedule_booking(booking, start=berlin(monday, 11), now=now, reason="Bus", by_customer=True)
    services.cancel_booking(booking, now=now)

    page = _text(ada_client.get(_url(booking.appointment)))

    assert "Cancelled</strong> · by API" in page
    assert "Moved from" in page and "· by the customer" in page and "Reason: “Bus”" in page


def test_a_reason_too_long_is_refused_on_the_form_and_nothing_moves(
    ada_client, dora, doras_appointment, monday
):
    response = ada_client.post(
        _url(doras_appointment, "reschedule/"),
        {"start": f"{monday}T14:00", "staff": dora.pk, "reason": "x" * 1001},
    )

    assert response.status_code == 400
    assert "Ensure this value has at most 1000 characters (it has 1001)." in _text(response)
    doras_appointment.refresh_from_db()
    assert doras_appointment.start == berlin(monday, 10) and not BookingChange.objects.exists()


def test_an_outsider_cannot_cancel_or_move_and_nothing_is_written(
    olga_client, dora, doras_appointment, monday
):
    booking = doras_appointment.bookings.get()

    cancel = olga_client.post(
        _url(doras_appointment, f"bookings/{booking.pk}/status/"),
        {"status": "cancelled", "confirmed": "1", "reason": "Not mine"},
    )
    move = olga_client.post(
        _url(doras_appointment, "reschedule/"), {"start": f"{monday}T14:00", "staff": dora.pk, "reason": "No"}
    )
    seen = olga_client.get(_url(doras_appointment))

    assert (cancel.status_code, move.status_code, seen.status_code) == (404, 404, 404)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and not BookingChange.objects.exists()


def test_a_reason_too_long_on_the_confirm_step_is_said_and_nothing_changes(ada_client, doras_appointment):
    booking = doras_appointment.bookings.get()

    response = ada_client.post(
        _url(doras_appointment, f"bookings/{booking.pk}/status/"),
        {"status": "cancelled", "confirmed": "1", "reason": "x" * 1001},
    )

    assert response.status_code == 400
    assert "The reason is 1001 characters long; it may be at most 1000." in _text(response)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and not BookingChange.objects.exists()
