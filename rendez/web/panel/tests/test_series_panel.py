"""Recurring series in the panel: Ada books one for a customer, the drawer says where a date stands in its
series and how far its meetings are, and cancels or moves this and following; Olga (another tenant) can't."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.jobs.models import Job
from rendez.scheduling import services
from rendez.scheduling.models import Booking, Series
from rendez.scheduling.series import Repeat
from rendez.scheduling.tests.factories import customer, make_service
from rendez.web.panel.tests.fixtures import a_monday, berlin

pytestmark = pytest.mark.django_db


@pytest.fixture
def weekly(alice, dora):
    return make_service(
        alice, dora, name="Evening flow", duration_minutes=60, series_allowed=True, zoom_enabled=True
    )


@pytest.fixture
def series_of_four(weekly, dora) -> list[Booking]:
    return services.book_series(
        tenant_id=weekly.tenant_id,
        service_id=weekly.pk,
        staff_id=dora.pk,
        start=berlin(a_monday(), 15),
        customer=customer("Charlie"),
        repeat=Repeat("weekly", count=4),
    ).bookings


def test_ada_books_a_series_for_a_customer(ada_client, weekly, dora):
    response = ada_client.post(
        "/panel/series/new/",
        {
            "service": weekly.pk,
            "staff": dora.pk,
            "start": f"{a_monday():%Y-%m-%d}T15:00",
            "frequency": "weekly",
            "interval": 1,
            "count": 6,
            "name": "Charlie",
            "email": "charlie@example.com",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    series = Series.objects.get()
    assert series.bookings.count() == 6
    assert {
        b.appointment.start.astimezone(berlin(a_monday(), 15).tzinfo).hour for b in series.bookings.all()
    } == {15}


def test_the_series_form_offers_only_services_that_allow_series(ada_client, weekly, consultation):
    page = ada_client.get("/panel/series/new/").content.decode()

    assert "Evening flow" in page and ">Consultation<" not in page


def test_the_drawer_says_where_the_date_stands_and_when_the_rest_of_the_meetings_come(
    ada_client, series_of_four
):
    first, second = series_of_four[0], series_of_four[1]
    Meeting.objects.create(
        tenant_id=first.tenant_id,
        appointment=first.appointment,
        provider="zoom",
        state="ready",
        external_id="1",
        join_url="https://zoom.example/j/1",
    )
    tomorrow = (timezone.now() + timedelta(days=1)).replace(hour=0, minute=1, second=0, microsecond=0)
    for booking in series_of_four[1:]:
        Meeting.objects.create(
            tenant_id=booking.tenant_id,
            appointment=booking.appointment,
            provider="zoom",
            state="retrying",
            next_attempt_at=tomorrow,
            last_error="Zoom's daily limit",
        )

    page = ada_client.get(f"/panel/appointments/{second.appointment_id}/").content.decode()

    assert "Date 2 of 4 of a series" in page and "weekly × 4" in page
    assert "Video meetings: 1 of 4 ready." in page
    assert "3 meetings will be made after 00:00 UTC" in page


def test_cancelling_this_and_following_from_the_drawer(ada_client, series_of_four):
    second = series_of_four[1]

    asked = ada_client.post(
        f"/panel/appointments/{second.appointment_id}/bookings/{second.pk}/cancel/"
    ).content.decode()
    assert "This booking is part of a series. Cancel:" in asked
    response = ada_client.post(
        f"/panel/appointments/{second.appointment_id}/bookings/{second.pk}/status/",
        {"status": "cancelled", "confirmed": "1", "scope": "following"},
    )

    assert response.status_code == 302
    statuses = [Booking.objects.get(pk=b.pk).status for b in series_of_four]
    assert statuses == ["confirmed", "cancelled", "cancelled", "cancelled"]
    assert Job.objects.filter(kind="notifications.series_event").count() == 2  # the booking, the cancel


def test_moving_this_and_following_from_the_drawer(ada_client, series_of_four):
    third = series_of_four[2]
    new = third.appointment.start.astimezone(berlin(a_monday(), 15).tzinfo) - timedelta(hours=2)

    response = ada_client.post(
        f"/panel/appointments/{third.appointment_id}/bookings/{third.pk}/move-following/",
        {"start": new.strftime("%Y-%m-%dT%H:%M")},
    )

    assert response.status_code == 302
    hours = [
        Booking.objects.get(pk=b.pk).appointment.start.astimezone(new.tzinfo).hour for b in series_of_four
    ]
    assert hours == [15, 15, 13, 13]


def test_an_outsider_cannot_touch_a_series(olga_client, series_of_four):
    third = series_of_four[2]

    moved = olga_client.post(
        f"/panel/appointments/{third.appointment_id}/bookings/{third.pk}/move-following/",
        {"start": "2030-01-01T10:00"},
    )
    cancelled = olga_client.post(
        f"/panel/appointments/{third.appointment_id}/bookings/{third.pk}/status/",
        {"status": "cancelled", "confirmed": "1", "scope": "all"},
    )

    assert moved.status_code == 404 and cancelled.status_code == 404
    assert {Booking.objects.get(pk=b.pk).status for b in series_of_four} == {"confirmed"}


def test_the_service_form_has_the_recurring_checkbox(ada_client, weekly):
    page = ada_client.get(f"/panel/services/{weekly.pk}/").content.decode()

    assert "Allow recurring bookings" in page
