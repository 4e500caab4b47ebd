from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.scheduling.models import Booking
from rendez.web.customer.rules import describe
from rendez.web.customer.tests.bookings import book, next_monday

pytestmark = pytest.mark.django_db


def page(client, booking: Booking, suffix: str = "") -> str:
    response = client.get(f"/manage/{booking.manage_token}{suffix}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_wrong_token_answers_404(client, booking):
    assert client.get("/manage/not-a-token").status_code == 404
    assert client.get("/manage/not-a-token/cancel").status_code == 404
    assert (
        client.post(
            "/manage/not-a-token/reschedule", {"start": booking.appointment.start.isoformat()}
        ).status_code
        == 404
    )


def test_it_shows_the_booking_in_the_customers_zone(client, booking):
    booking.customer.timezone = "America/New_York"
    booking.customer.save(update_fields=["timezone"])

    body = page(client, booking)

    assert "Consultation" in body and "Dora" in body and "Confirmed" in body
    # 10:00 in Berlin is 04:00 in New York (both on summer time or both not, but 6 hours apart).
    local = booking.appointment.start.astimezone(ZoneInfo("America/New_York"))
    assert f"{local:%H:%M}" in body and "America/New_York" in body
    assert "Reschedule" in body and "Cancel booking" in body


def test_without_a_customer_zone_it_uses_the_tenants(client, booking):
    body = page(client, booking)

    assert "10:00–10:30" in body and "Europe/Berlin" in body


def test_cancelling_asks_first_then_cancels_through_a_post_with_csrf(booking):
    client = Client(enforce_csrf_checks=True)
    confirm = page(client, booking, "/cancel")
    assert "Cancel this appointment?" in confirm
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    refused = client.post(f"/manage/{booking.manage_token}/cancel")
    assert refused.status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    csrf = client.cookies["csrftoken"].value
    response = client.post(
        f"/manage/{booking.manage_token}/cancel", {"csrfmiddlewaretoken": csrf}, follow=True
    )

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    body = response.content.decode()
    assert "Your booking is cancelled" in body and "Cancelled" in body
    assert "Reschedule" not in body and "Cancel booking" not in body


def test_inside_the_minimum_notice_nothing_can_be_changed(client, consultation, dora):
    soon = book(consultation, dora, next_monday(10), who="Erin")
    consultation.min_notice_minutes = 14 * 24 * 60
    consultation.save(update_fields=["min_notice_minutes"])

    body = page(client, soon)
    assert "accepts changes up to 14 days before the appointment" in body
    assert "Cancel booking" not in body

    response = client.post(f"/manage/{soon.manage_token}/cancel", follow=True)
    assert "too late to reschedule or cancel online" in response.content.decode()
    start = soon.appointment.start
    client.post(
        f"/manage/{soon.manage_token}/reschedule", {"start": (start + timedelta(hours=1)).isoformat()}
    )
    soon.refresh_from_db()
    assert soon.status == Booking.Status.CONFIRMED and soon.appointment.start == start


def test_rescheduling_lists_free_times_and_moves_to_one(client, booking):
    body = page(client, booking, f"/reschedule?date={next_monday(10):%Y-%m-%d}")
    new_start = (booking.appointment.start + timedelta(hours=2)).astimezone(UTC)
    assert f'value="{new_start.isoformat()}"' in body
    # The booking's own time is not offered as a new one.
    assert f'value="{booking.appointment.start.astimezone(UTC).isoformat()}"' not in body

    url = f"/manage/{booking.manage_token}/reschedule"
    asked = client.post(url, {"start": new_start.isoformat()}).content.decode()
    # A tap asks first: nothing has moved yet, the new time is named and a reason may be given.
    booking.refresh_from_db()
    assert booking.appointment.start == next_monday(10)
    assert "Move this appointment?" in asked and "12:00–12:30" in asked and 'name="reason"' in asked

    response = client.post(
        url, {"start": new_start.isoformat(), "confirm": "yes", "reason": "Dentist at ten"}, follow=True
    )

    booking.refresh_from_db()
    assert booking.appointment.start == new_start
    assert "Your appointment is moved" in response.content.decode()
    # The reason goes into the booking's history, by the customer; the notes stay what was typed at booking.
    (change,) = booking.changes.all()
    moved = f"Mon {next_monday(10).day} {next_monday(10):%b} "
    assert change.summary == f"Moved from {moved}10:00 to {moved}12:00 (Europe/Berlin)"
    assert (change.kind, change.reason, change.by_customer, change.by) == (
        "rescheduled",
        "Dentist at ten",
        True,
        None,
    )
    assert booking.notes == ""


def test_a_cancellation_without_a_reason_is_recorded_without_one(client, booking):
    client.post(f"/manage/{booking.manage_token}/cancel", {"reason": "  "})

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.notes == ""
    assert [(c.summary, c.reason, c.by_customer) for c in booking.changes.all()] == [("Cancelled", "", True)]


def test_a_cancellation_reason_is_kept_for_staff(client, booking):
    confirm = page(client, booking, "/cancel")
    assert 'name="reason"' in confirm and "Reason (optional)" in confirm

    client.post(f"/manage/{booking.manage_token}/cancel", {"reason": "Feeling better"})

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert [(c.kind, c.reason, c.by_customer) for c in booking.changes.all()] == [
        ("cancelled", "Feeling better", True)
    ]
    assert booking.notes == ""


def test_a_reason_too_long_is_shown_and_nothing_changes(client, booking):
    response = client.post(f"/manage/{booking.manage_token}/cancel", {"reason": "x" * 1001})

    assert response.status_code == 400
    assert "at most 1000 characters" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and not booking.changes.exists()

    new_start = (booking.appointment.start + timedelta(hours=2)).astimezone(UTC)
    url = f"/manage/{booking.manage_token}/reschedule"
    again = client.post(url, {"start": new_start.isoformat(), "confirm": "yes", "reason": "y" * 1001})

    assert again.status_code == 400 and "Move this appointment?" in again.content.decode()
    booking.refresh_from_db()
    assert booking.appointment.start == next_monday(10) and not booking.changes.exists()


def test_a_taken_time_is_refused_in_words(client, booking, consultation, dora):
    taken = book(consultation, dora, booking.appointment.start + timedelta(hours=1), who="Dave")

    response = client.post(
        f"/manage/{booking.manage_token}/reschedule",
        {"start": taken.appointment.start.isoformat(), "confirm": "yes"},
        follow=True,
    )

    body = response.content.decode()
    assert "That time could not be booked: That time is already taken. Please pick another time." in body
    booking.refresh_from_db()
    assert booking.appointment.start == next_monday(10)


def test_a_time_that_is_not_a_time_is_refused(client, booking):
    response = client.post(f"/manage/{booking.manage_token}/reschedule", {"start": "tomorrow"}, follow=True)

    assert "Pick one of the free times shown." in response.content.decode()


def test_cancelled_and_past_bookings_offer_no_actions(client, booking, consultation, dora):
    booking.status = Booking.Status.CANCELLED
    booking.save(update_fields=["status"])
    assert "Reschedule" not in page(client, booking)

    past = book(consultation, dora, next_monday(11), who="Erin")
    appointment = past.appointment
    appointment.start = timezone.now() - timedelta(days=3)
    appointment.end = appointment.start + timedelta(minutes=30)
    appointment.save(update_fields=["start", "end"])
    body = page(client, past)
    assert "This appointment has ended" in body and "Reschedule" not in body
    assert client.get(f"/manage/{past.manage_token}/reschedule").status_code == 302


def video_booking(consultation, dora, state=Meeting.State.READY) -> Booking:
    consultation.zoom_enabled = True
    consultation.save(update_fields=["video_provider"])
    booking = book(consultation, dora, next_monday(14), who="Vera")
    Meeting.objects.update_or_create(
        appointment=booking.appointment,
        defaults={
            "tenant_id": booking.tenant_id,
            "provider": "zoom",
            "state": state,
            "external_id": "85012345678",
            "join_url": "https://zoom.example/j/85012345678?pwd=abc",
            "password": "Zx7-q2",
        },
    )
    return booking


def test_a_video_booking_shows_the_join_link_and_the_passcode_as_a_tooltip(client, consultation, dora):
    booking = video_booking(consultation, dora)

    body = page(client, booking)

    assert 'href="https://zoom.example/j/85012345678?pwd=abc"' in body
    assert 'title="Passcode: Zx7-q2"' in body and 'role="tooltip"' in body


def test_the_video_button_goes_when_the_appointment_ends_or_is_cancelled(client, consultation, dora):
    booking = video_booking(consultation, dora)
    appointment = booking.appointment
    appointment.start = timezone.now() - timedelta(minutes=40)
    appointment.end = timezone.now() - timedelta(minutes=10)
    appointment.save(update_fields=["start", "end"])
    assert "Join video meeting" not in page(client, booking)

    appointment.end = timezone.now() + timedelta(minutes=10)
    appointment.save(update_fields=["end"])
    assert "Join video meeting" in page(client, booking)

    booking.status = Booking.Status.CANCELLED
    booking.save(update_fields=["status"])
    assert "Join video meeting" not in page(client, booking)


def test_a_meeting_without_a_link_shows_no_button(client, consultation, dora):
    booking = video_booking(consultation, dora, state=Meeting.State.FAILED)

    body = page(client, booking)

    assert "Join video meeting" not in body and "zoom.example" not in body and "Zx7-q2" not in body


def test_while_the_meeting_is_being_made_the_page_polls_for_its_link(client, consultation, dora):
    booking = video_booking(consultation, dora, state=Meeting.State.PENDING)

    body = page(client, booking)
    assert "The video meeting is being prepared" in body
    assert f'hx-get="/manage/{booking.manage_token}/video"' in body
    assert "Join video meeting" not in body

    Meeting.objects.filter(appointment=booking.appointment).update(state=Meeting.State.READY)
    fragment = page(client, booking, "/video")
    assert "Join video meeting" in fragment and "hx-get" not in fragment


def test_token_pages_are_not_cached(client, booking):
    response = client.get(f"/manage/{booking.manage_token}")

    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("minutes", "words"), [(1, "1 minute"), (90, "90 minutes"), (120, "2 hours"), (1440, "1 day")]
)
def test_notice_periods_read_as_words(minutes, words):
    assert describe(timedelta(minutes=minutes)) == words
