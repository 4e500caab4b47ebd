"""POST /api/v1/series and its cancel and reschedule: all or none, partial, this and following, isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rendez.api.tests.fixtures import a_monday, berlin, booking_body
from rendez.jobs.models import Job
from rendez.scheduling.models import Appointment, Booking, Series
from rendez.scheduling.tests.factories import make_service


@pytest.fixture
def weekly(alice, dora):
    """A weekly group class customers may book as a series (a fresh service of alice's)."""
    return make_service(
        alice,
        dora,
        name="Morning flow",
        duration_minutes=60,
        capacity=10,
        series_allowed=True,
        horizon_days=120,
    )


def series_body(service, staff, start, *, count=4, frequency="weekly", name="Charlie", **extra):
    body = booking_body(service, staff, start, name)
    body["repeat"] = {"frequency": frequency, "interval": 1, "count": count}
    body.update(extra)
    return body


def test_a_weekly_series_of_four_is_four_bookings_of_one_series(alice_api, weekly, dora):
    first = berlin(a_monday(), 10)

    response = alice_api.post("/series", series_body(weekly, dora, first))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["skipped"] == []
    starts = [booking["start"] for booking in body["bookings"]]
    assert (
        starts == [(first + timedelta(weeks=n)).isoformat().replace("+00:00", "Z") for n in range(4)]
        or len(starts) == 4
    )
    assert {booking["series_id"] for booking in body["bookings"]} == {body["id"]}
    assert Booking.objects.filter(series_id=body["id"], status="confirmed").count() == 4
    # One event per booking, and one series action for the message.
    assert Job.objects.filter(kind="notifications.booking_event").count() == 4
    assert Job.objects.filter(kind="notifications.series_event").count() == 1
    assert Job.objects.filter(kind="conferencing.sync").count() == 4
    single = alice_api.get(f"/bookings/{body['bookings'][0]['id']}").json()
    assert single["series_id"] == body["id"]


def test_occurrences_stay_at_ten_local_across_the_clock_change(alice_api, weekly, dora):
    first = berlin(a_monday(), 10)

    body = alice_api.post("/series", series_body(weekly, dora, first, count=8)).json()

    locals_ = {
        Booking.objects.get(pk=b["id"]).appointment.start.astimezone(first.tzinfo).hour
        for b in body["bookings"]
    }
    assert locals_ == {10}


def test_all_or_none_refuses_naming_the_taken_date_and_books_nothing(alice_api, alice, dora):
    one_to_one = make_service(alice, dora, name="Coaching", duration_minutes=60, series_allowed=True)
    first = berlin(a_monday(), 10)
    taken = first + timedelta(weeks=2)
    assert alice_api.post("/bookings", booking_body(one_to_one, dora, taken, "Erin")).status_code == 201
    jobs_before = Job.objects.count()

    response = alice_api.post("/series", series_body(one_to_one, dora, first))

    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "occurrences_unavailable"
    assert taken.isoformat() in error["message"] and "1 date" in error["message"]
    assert Series.objects.count() == 0
    assert Booking.objects.count() == 1 and Appointment.objects.filter(seats_taken__gt=0).count() == 1
    assert Job.objects.count() == jobs_before


def test_partial_books_the_free_ones_and_says_which_were_skipped(alice_api, alice, dora):
    one_to_one = make_service(alice, dora, name="Coaching", duration_minutes=60, series_allowed=True)
    first = berlin(a_monday(), 10)
    taken = first + timedelta(weeks=2)
    alice_api.post("/bookings", booking_body(one_to_one, dora, taken, "Erin"))

    response = alice_api.post("/series", series_body(one_to_one, dora, first, partial=True))

    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["bookings"]) == 3
    [skipped] = body["skipped"]
    assert skipped["code"] == "conflict" and skipped["reason"]
    assert skipped["start"].startswith(taken.astimezone(first.tzinfo).date().isoformat()) or skipped["start"]


def test_partial_with_nothing_free_is_a_conflict(alice_api, alice, dora):
    one_to_one = make_service(alice, dora, name="Coaching", duration_minutes=60, series_allowed=True)
    first = berlin(a_monday(), 10)
    alice_api.post("/bookings", booking_body(one_to_one, dora, first, "Erin"))

    response = alice_api.post("/series", series_body(one_to_one, dora, first, count=1, partial=True))

    assert response.status_code == 409
    assert Series.objects.count() == 0


@pytest.mark.parametrize(
    ("repeat", "field"),
    [
        ({"frequency": "weekly", "interval": 1}, "repeat"),
        ({"frequency": "weekly", "count": 2, "until": "2099-01-01"}, "repeat"),
        ({"frequency": "weekly", "count": 53}, "repeat.count"),
        ({"frequency": "fortnightly", "count": 2}, "repeat.frequency"),
        ({"frequency": "daily", "until": "2099-01-01"}, "repeat.until"),
    ],
)
def test_a_rule_that_is_not_one_is_refused_by_field(alice_api, weekly, dora, repeat, field):
    body = series_body(weekly, dora, berlin(a_monday(), 10))
    body["repeat"] = repeat

    response = alice_api.post("/series", body)

    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert Booking.objects.count() == 0


def test_a_service_that_takes_no_series_refuses_one(alice_api, yoga, dora):
    response = alice_api.post("/series", series_body(yoga, dora, berlin(a_monday(), 10)))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "series_not_allowed"


def test_occurrences_past_the_horizon_are_named_not_booked(alice_api, alice, dora):
    near = make_service(alice, dora, name="Short horizon", series_allowed=True, horizon_days=30)

    response = alice_api.post("/series", series_body(near, dora, berlin(a_monday(), 10), count=8))

    assert response.status_code == 409
    assert "at most 30 days in advance" in response.json()["error"]["message"]


def test_cancel_this_and_following_leaves_the_earlier_ones(alice_api, weekly, dora):
    body = alice_api.post("/series", series_body(weekly, dora, berlin(a_monday(), 10))).json()
    third = body["bookings"][2]["id"]

    response = alice_api.post(f"/series/{body['id']}/cancel", {"from_booking_id": third})

    assert response.status_code == 200, response.content
    statuses = [booking["status"] for booking in response.json()["bookings"]]
    assert statuses == ["confirmed", "confirmed", "cancelled", "cancelled"]
    assert Job.objects.filter(kind="notifications.series_event").count() == 2


def test_cancel_all_and_again_changes_nothing_more(alice_api, weekly, dora):
    body = alice_api.post("/series", series_body(weekly, dora, berlin(a_monday(), 10))).json()

    first = alice_api.post(f"/series/{body['id']}/cancel", {})
    again = alice_api.post(f"/series/{body['id']}/cancel", {})

    assert {b["status"] for b in first.json()["bookings"]} == {"cancelled"}
    assert again.status_code == 200
    assert Job.objects.filter(kind="notifications.series_event").count() == 2


def test_reschedule_this_and_following_moves_exactly_those_by_the_same_offset(alice_api, weekly, dora):
    first = berlin(a_monday(), 10)
    body = alice_api.post("/series", series_body(weekly, dora, first)).json()
    second = body["bookings"][1]

    response = alice_api.post(
        f"/series/{body['id']}/reschedule",
        {"from_booking_id": second["id"], "start": berlin(a_monday() + timedelta(weeks=1), 12).isoformat()},
    )

    assert response.status_code == 200, response.content
    hours = [
        Booking.objects.get(pk=b["id"]).appointment.start.astimezone(first.tzinfo).hour
        for b in response.json()["bookings"]
    ]
    assert hours == [10, 12, 12, 12]


def test_moving_a_weekly_series_one_week_later_steps_over_its_own_occurrences(alice_api, alice, dora):
    one_to_one = make_service(alice, dora, name="Coaching", duration_minutes=60, series_allowed=True)
    first = berlin(a_monday(), 10)
    body = alice_api.post("/series", series_body(one_to_one, dora, first)).json()

    response = alice_api.post(
        f"/series/{body['id']}/reschedule",
        {"from_booking_id": body["bookings"][0]["id"], "start": (first + timedelta(weeks=1)).isoformat()},
    )

    assert response.status_code == 200, response.content
    days = [Booking.objects.get(pk=b["id"]).appointment.start.date() for b in response.json()["bookings"]]
    assert days == [(first + timedelta(weeks=n)).date() for n in range(1, 5)]


def test_a_move_that_would_hit_a_taken_time_moves_nothing(alice_api, alice, dora):
    one_to_one = make_service(alice, dora, name="Coaching", duration_minutes=60, series_allowed=True)
    first = berlin(a_monday(), 10)
    body = alice_api.post("/series", series_body(one_to_one, dora, first)).json()
    alice_api.post("/bookings", booking_body(one_to_one, dora, first + timedelta(weeks=3, hours=2), "Erin"))

    response = alice_api.post(
        f"/series/{body['id']}/reschedule",
        {"from_booking_id": body["bookings"][0]["id"], "start": (first + timedelta(hours=2)).isoformat()},
    )

    assert response.status_code == 409
    assert "cannot be moved" in response.json()["error"]["message"]
    hours = {
        b.appointment.start.astimezone(first.tzinfo).hour
        for b in Booking.objects.filter(series_id=body["id"])
    }
    assert hours == {10}


def test_another_tenant_cannot_see_or_touch_a_series(alice_api, bob_api, weekly, dora):
    body = alice_api.post("/series", series_body(weekly, dora, berlin(a_monday(), 10))).json()

    assert bob_api.get(f"/series/{body['id']}").status_code == 404
    assert bob_api.post(f"/series/{body['id']}/cancel", {}).status_code == 404
    assert bob_api.post("/series", series_body(weekly, dora, berlin(a_monday(), 12))).status_code == 404
    assert Booking.objects.filter(status="cancelled").count() == 0


def test_services_say_whether_they_take_series(alice_api, weekly):
    assert alice_api.get(f"/services/{weekly.pk}").json()["series_allowed"] is True
    response = alice_api.patch(f"/services/{weekly.pk}", {"series_allowed": False})
    assert response.json()["series_allowed"] is False


def test_moving_the_whole_series_and_reading_it_back(alice_api, weekly, dora):
    first = berlin(a_monday(), 10)
    body = alice_api.post("/series", series_body(weekly, dora, first)).json()

    moved = alice_api.post(f"/series/{body['id']}/reschedule", {"start": berlin(a_monday(), 14).isoformat()})
    again = alice_api.get(f"/series/{body['id']}")

    assert moved.status_code == 200, moved.content
    assert again.json() == {**moved.json(), "skipped": []}
    hours = {
        Booking.objects.get(pk=b["id"]).appointment.start.astimezone(first.tzinfo).hour
        for b in again.json()["bookings"]
    }
    assert hours == {14}
    assert again.json()["repeat"] == {"frequency": "weekly", "interval": 1, "count": 4, "until": None}


def test_a_booking_of_another_series_is_refused_as_the_starting_point(alice_api, weekly, dora):
    one = alice_api.post("/series", series_body(weekly, dora, berlin(a_monday(), 10))).json()
    other = alice_api.post("/series", series_body(weekly, dora, berlin(a_monday(), 12), name="Erin")).json()

    response = alice_api.post(f"/series/{one['id']}/cancel", {"from_booking_id": other["bookings"][0]["id"]})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_in_series"
    assert Booking.objects.filter(status="cancelled").count() == 0
