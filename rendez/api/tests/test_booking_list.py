"""GET /api/v1/bookings in time: upcoming soonest first by default, past latest first, all earliest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from rendez.api.tests.fixtures import a_monday, berlin, booking_body
from rendez.scheduling.models import Appointment, Booking


def booked_at(api, service, staff, start: datetime, name: str) -> int:
    """Book `name` into a free slot, then move the appointment to `start` (which may be in the past).

    The API refuses past starts, so history is made by placing the appointment afterwards."""
    response = api.post("/bookings", booking_body(service, staff, a_free_slot(), name))
    assert response.status_code == 201, response.content
    booking = Booking.objects.get(pk=response.json()["id"])
    end = start + timedelta(minutes=30)
    Appointment.objects.filter(pk=booking.appointment_id).update(
        start=start, end=end, block_start=start, block_end=end
    )
    return booking.pk


def a_free_slot() -> datetime:
    # Bookings made so far are all moved away, so each new one takes the next half hour of Dora's Monday.
    return berlin(a_monday(), 9) + timedelta(minutes=30 * Booking.objects.count())


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_upcoming_is_the_default_soonest_first_and_keeps_one_in_progress(alice_api, consultation, dora):
    now = timezone.now()
    later = booked_at(alice_api, consultation, dora, now + timedelta(days=3), "Charlie")
    in_progress = booked_at(alice_api, consultation, dora, now - timedelta(minutes=10), "Dave")
    sooner = booked_at(alice_api, consultation, dora, now + timedelta(hours=2), "Erin")
    booked_at(alice_api, consultation, dora, now - timedelta(days=2), "Fay")

    assert ids(alice_api.get("/bookings")) == [in_progress, sooner, later]
    assert ids(alice_api.get("/bookings", {"when": "upcoming"})) == [in_progress, sooner, later]


def test_past_lists_ended_bookings_latest_first(alice_api, consultation, dora):
    now = timezone.now()
    long_ago = booked_at(alice_api, consultation, dora, now - timedelta(days=40), "Charlie")
    yesterday = booked_at(alice_api, consultation, dora, now - timedelta(days=1), "Dave")
    booked_at(alice_api, consultation, dora, now - timedelta(minutes=10), "Erin")  # still running
    booked_at(alice_api, consultation, dora, now + timedelta(days=1), "Fay")

    assert ids(alice_api.get("/bookings", {"when": "past"})) == [yesterday, long_ago]


def test_all_lists_the_whole_history_earliest_first(alice_api, consultation, dora):
    now = timezone.now()
    tomorrow = booked_at(alice_api, consultation, dora, now + timedelta(days=1), "Charlie")
    long_ago = booked_at(alice_api, consultation, dora, now - timedelta(days=40), "Dave")
    yesterday = booked_at(alice_api, consultation, dora, now - timedelta(days=1), "Erin")

    assert ids(alice_api.get("/bookings", {"when": "all"})) == [long_ago, yesterday, tomorrow]


def test_bookings_of_one_appointment_keep_booking_order(alice_api, yoga, dora, monday):
    first, second = (
        alice_api.post("/bookings", booking_body(yoga, dora, berlin(monday, 10), name)).json()["id"]
        for name in ("Charlie", "Dave")
    )
    assert ids(alice_api.get("/bookings")) == [first, second]
    assert ids(alice_api.get("/bookings", {"when": "past"})) == []


def test_dates_are_whole_utc_days_of_the_start(alice_api, consultation, dora):
    day = (timezone.now() + timedelta(days=20)).date()
    last_minute = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23, minutes=30)
    late = booked_at(alice_api, consultation, dora, last_minute, "Charlie")
    next_day = booked_at(alice_api, consultation, dora, last_minute + timedelta(minutes=30), "Dave")

    one_day = {"date_from": day.isoformat(), "date_to": day.isoformat()}
    assert ids(alice_api.get("/bookings", one_day)) == [late]
    assert ids(alice_api.get("/bookings", {"date_from": (day + timedelta(days=1)).isoformat()})) == [next_day]


def test_dates_combine_with_when(alice_api, consultation, dora):
    now = timezone.now()
    old = booked_at(alice_api, consultation, dora, now - timedelta(days=40), "Charlie")
    booked_at(alice_api, consultation, dora, now - timedelta(days=1), "Dave")
    that_day = (now - timedelta(days=40)).date().isoformat()

    assert ids(alice_api.get("/bookings", {"date_from": that_day, "date_to": that_day})) == []
    window = {"when": "past", "date_from": that_day, "date_to": that_day}
    assert ids(alice_api.get("/bookings", window)) == [old]


def test_an_unknown_when_is_refused_naming_the_field(alice_api, db):
    response = alice_api.get("/bookings", {"when": "soon"})
    assert response.status_code == 422
    assert "when" in response.json()["error"]["fields"]


def test_appointments_filter_on_utc_days_by_instant_range(alice_api, consultation, dora):
    day = (timezone.now() + timedelta(days=30)).date()
    late = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23, minutes=30)
    booked_at(alice_api, consultation, dora, late - timedelta(days=1), "Before")
    booked_at(alice_api, consultation, dora, late, "Last")
    booked_at(alice_api, consultation, dora, late + timedelta(minutes=30), "Midnight")
    response = alice_api.get("/appointments", {"date_from": day.isoformat(), "date_to": day.isoformat()})
    assert response.status_code == 200, response.content
    starts = [item["start"] for item in response.json()["items"]]
    assert starts == [late.isoformat().replace("+00:00", "Z")]


@pytest.mark.parametrize("word", ["limit", "offset"])
def test_paging_words_of_other_apis_are_refused_not_ignored(alice_api, word):
    response = alice_api.get(f"/bookings?{word}=10")
    assert response.status_code == 422
    error = response.json()["error"]
    assert "page_size" in error["message"] and word in error["fields"]
