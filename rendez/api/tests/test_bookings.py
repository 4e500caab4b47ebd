"""Bookings and appointments over HTTP: book, read, list, move, cancel, change status."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from rendez.api.tests.fixtures import berlin, booking_body
from rendez.jobs.models import Job
from rendez.scheduling.models import Appointment, Booking, Customer
from rendez.scheduling.tests.factories import book, make_staff


def create(api, service, staff, start, name="Charlie", **extra):
    return api.post("/bookings", booking_body(service, staff, start, name, **extra))


def test_booking_answers_201_with_the_booking(alice_api, consultation, dora, monday):
    start = berlin(monday, 10)
    response = create(alice_api, consultation, dora, start, customer_timezone=None)
    assert response.status_code == 201
    body = response.json()
    booking = Booking.objects.get()
    assert body["id"] == booking.pk
    assert body["appointment_id"] == booking.appointment_id
    assert (body["service_id"], body["staff_id"]) == (consultation.pk, dora.pk)
    assert body["status"] == "confirmed"
    assert datetime.fromisoformat(body["start"]) == start
    assert datetime.fromisoformat(body["end"]) == start + timedelta(minutes=30)
    assert body["customer"] == {
        "id": booking.customer_id,
        "name": "Charlie",
        "email": "charlie@example.com",
        "phone": "",
        "timezone": "",
    }
    assert body["party_size"] == 1
    assert body["meeting"] is None
    assert body["manage_token"] == booking.manage_token
    assert Job.objects.filter(kind="conferencing.sync").count() == 1
    assert Job.objects.filter(kind="notifications.booking_event").count() == 1


def test_a_booking_carries_its_meeting_once_there_is_one(alice, alice_api, consultation, dora, monday):
    from rendez.conferencing.models import Meeting

    booking_id = create(alice_api, consultation, dora, berlin(monday, 10)).json()["id"]
    booking = Booking.objects.get(pk=booking_id)
    Meeting.objects.create(
        tenant=alice,
        appointment=booking.appointment,
        external_id="85746352413",
        join_url="https://zoom.example/j/85746352413",
        password="4821",
        state="ready",
    )
    meeting = alice_api.get(f"/bookings/{booking_id}").json()["meeting"]
    assert meeting == {
        "provider": "zoom",
        "state": "ready",
        "meeting_id": "85746352413",
        "join_url": "https://zoom.example/j/85746352413",
        "password": "4821",
        "last_error": None,
        "next_attempt_at": None,
        "changed_elsewhere": None,
    }


def test_a_group_booking_takes_the_seats_of_its_party(alice_api, yoga, dora, monday):
    response = create(alice_api, yoga, dora, berlin(monday, 10), party_size=3)
    assert response.status_code == 201
    assert response.json()["party_size"] == 3
    assert Appointment.objects.get().seats_taken == 3


def test_a_taken_slot_answers_409(alice_api, consultation, dora, monday):
    create(alice_api, consultation, dora, berlin(monday, 10))
    response = create(alice_api, consultation, dora, berlin(monday, 10), "Dave")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert "start" in error["fields"]
    assert Booking.objects.count() == 1
    assert not Customer.objects.filter(email="dave@example.com").exists()


def test_a_full_group_answers_409(alice_api, yoga, dora, monday):
    create(alice_api, yoga, dora, berlin(monday, 10), party_size=5)
    assert create(alice_api, yoga, dora, berlin(monday, 10), "Dave").json()["error"]["code"] == "full"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "2030-01-07T10:00:00"}, "start"),  # no offset
        ({"start": "next monday"}, "start"),
        ({"customer": {"name": "Charlie", "email": "charlie-at-example.com"}}, "customer.email"),
        (
            {"customer": {"name": "Charlie", "email": "c@example.com", "timezone": "Europe/Gotham"}},
            "customer.timezone",
        ),
        ({"customer": {"name": "", "email": "c@example.com"}}, "customer.name"),
        ({"party_size": 0}, "party_size"),
        ({"service_id": "consultation"}, "service_id"),
    ],
)
def test_invalid_bookings_answer_422_naming_the_field(alice_api, consultation, dora, monday, change, field):
    body = {**booking_body(consultation, dora, berlin(monday, 10)), **change}
    response = alice_api.post("/bookings", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (lambda monday: berlin(monday, 10, 10), "not_a_slot"),
        (lambda monday: berlin(monday, 10) - timedelta(days=60), "in_past"),
        (lambda monday: berlin(monday, 10) + timedelta(days=365), "too_far"),
        (lambda monday: datetime.fromisoformat("9999-12-31T23:59:59+00:00"), "too_far"),
        (lambda monday: datetime.fromisoformat("0001-01-01T00:00:00+00:00"), "in_past"),
    ],
)
def test_refused_starts_answer_422_with_the_reason(alice_api, consultation, dora, monday, start, code):
    response = create(alice_api, consultation, dora, start(monday))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


def test_booking_outside_working_hours_answers_409(alice_api, consultation, dora, monday):
    response = create(alice_api, consultation, dora, berlin(monday, 20))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "outside_working_hours"


def test_booking_with_someone_not_offering_the_service_answers_422(alice, alice_api, consultation, monday):
    gina = make_staff(alice, "Gina")
    response = create(alice_api, consultation, gina, berlin(monday, 10))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "staff_not_offering"


def test_it_reads_a_booking(alice_api, consultation, dora, monday):
    booking_id = create(alice_api, consultation, dora, berlin(monday, 10)).json()["id"]
    body = alice_api.get(f"/bookings/{booking_id}").json()
    assert (body["id"], body["status"], body["customer"]["email"]) == (
        booking_id,
        "confirmed",
        "charlie@example.com",
    )


def test_it_lists_bookings_soonest_first_with_filters(alice_api, consultation, dora, monday):
    later = create(alice_api, consultation, dora, berlin(monday + timedelta(days=1), 10), "Charlie").json()[
        "id"
    ]
    sooner = create(alice_api, consultation, dora, berlin(monday, 10), "Dave").json()["id"]
    alice_api.post(f"/bookings/{later}/cancel")

    assert [item["id"] for item in alice_api.get("/bookings").json()["items"]] == [sooner, later]
    assert [item["id"] for item in alice_api.get("/bookings", {"status": "cancelled"}).json()["items"]] == [
        later
    ]
    by_email = alice_api.get("/bookings", {"customer_email": "DAVE@example.com"}).json()
    assert [item["id"] for item in by_email["items"]] == [sooner]
    one_day = {"date_from": monday.isoformat(), "date_to": monday.isoformat()}
    assert [item["id"] for item in alice_api.get("/bookings", one_day).json()["items"]] == [sooner]


def test_listing_bookings_with_an_unknown_status_is_refused(alice_api, db):
    response = alice_api.get("/bookings", {"status": "lost"})
    assert response.status_code == 422
    assert "status" in response.json()["error"]["fields"]


def test_listing_bookings_takes_the_same_queries_for_many(
    alice_api, yoga, consultation, dora, monday, django_assert_max_num_queries
):
    now = berlin(monday, 6) - timedelta(days=7)
    for hour in range(9, 16):
        book(consultation, dora, berlin(monday, hour), f"C{hour}", now=now)
        book(yoga, dora, berlin(monday + timedelta(days=1), hour), f"Y{hour}", now=now)
        book(yoga, dora, berlin(monday + timedelta(days=1), hour), f"Z{hour}", now=now)
    alice_api.get("/bookings")
    with django_assert_max_num_queries(4):
        assert alice_api.get("/bookings").json()["count"] == 21
    with django_assert_max_num_queries(5):
        assert alice_api.get("/appointments").json()["count"] == 14


def test_bookings_come_in_pages(alice_api, yoga, dora, monday):
    now = berlin(monday, 6) - timedelta(days=7)
    starts = [berlin(monday, hour) for hour in range(9, 17)] + [
        berlin(monday + timedelta(days=1), h) for h in (9, 10, 11)
    ]
    for start in starts:
        for seat in range(5):
            book(yoga, dora, start, f"C{start.day}x{start.hour}x{seat}", now=now)
    first = alice_api.get("/bookings").json()
    last = alice_api.get("/bookings", {"page": 2}).json()
    assert (first["count"], len(first["items"]), len(last["items"])) == (55, 50, 5)


def test_a_page_beyond_the_last_is_empty_or_refused_never_an_error(alice_api, db):
    assert alice_api.get("/bookings", {"page": 3}).json() == {"items": [], "count": 0}
    for page in ("0", "99999999999999999999"):
        response = alice_api.get("/bookings", {"page": page})
        assert response.status_code == 422
        assert "page" in response.json()["error"]["fields"]


# --- moving, cancelling, status -----------------------------------------------------------------------------


def test_rescheduling_a_booking_moves_it(alice_api, consultation, dora, monday):
    created = create(alice_api, consultation, dora, berlin(monday, 10)).json()
    response = alice_api.post(
        f"/bookings/{created['id']}/reschedule", {"start": berlin(monday, 14).isoformat()}
    )
    assert response.status_code == 200
    body = response.json()
    assert datetime.fromisoformat(body["start"]) == berlin(monday, 14)
    assert body["appointment_id"] == created["appointment_id"]


def test_rescheduling_to_another_staff_member(alice, alice_api, consultation, dora, monday):
    erik = make_staff(alice, "Erik")
    consultation.staff.add(erik)
    created = create(alice_api, consultation, dora, berlin(monday, 10)).json()
    body = alice_api.post(
        f"/bookings/{created['id']}/reschedule",
        {"start": berlin(monday, 10).isoformat(), "staff_id": erik.pk},
    ).json()
    assert body["staff_id"] == erik.pk


def test_rescheduling_into_a_taken_slot_answers_409_and_moves_nothing(alice_api, consultation, dora, monday):
    charlie = create(alice_api, consultation, dora, berlin(monday, 10)).json()
    create(alice_api, consultation, dora, berlin(monday, 14), "Dave")
    response = alice_api.post(
        f"/bookings/{charlie['id']}/reschedule", {"start": berlin(monday, 14).isoformat()}
    )
    assert response.status_code == 409
    assert Appointment.objects.get(pk=charlie["appointment_id"]).start == berlin(monday, 10)


def test_rescheduling_needs_an_aware_start(alice_api, consultation, dora, monday):
    charlie = create(alice_api, consultation, dora, berlin(monday, 10)).json()
    response = alice_api.post(f"/bookings/{charlie['id']}/reschedule", {"start": "2030-01-07T10:00:00"})
    assert response.status_code == 422
    assert "start" in response.json()["error"]["fields"]


def test_cancelling_a_booking(alice_api, consultation, dora, monday):
    created = create(alice_api, consultation, dora, berlin(monday, 10)).json()
    response = alice_api.post(f"/bookings/{created['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert Appointment.objects.get().seats_taken == 0
    again = alice_api.post(f"/bookings/{created['id']}/cancel")
    assert again.status_code == 200  # cancelling a cancelled booking is a no-op
    assert create(alice_api, consultation, dora, berlin(monday, 10), "Dave").status_code == 201


def test_changing_the_status(alice_api, consultation, dora, monday):
    consultation.initial_status = "pending"
    consultation.save()
    created = create(alice_api, consultation, dora, berlin(monday, 10)).json()
    assert created["status"] == "pending"
    response = alice_api.post(f"/bookings/{created['id']}/status", {"status": "confirmed"})
    assert (response.status_code, response.json()["status"]) == (200, "confirmed")


@pytest.mark.parametrize(
    ("status", "code"), [("completed", "not_started"), ("pending", "invalid_transition")]
)
def test_a_refused_status_change_answers_422(alice_api, consultation, dora, monday, status, code):
    created = create(alice_api, consultation, dora, berlin(monday, 10)).json()
    response = alice_api.post(f"/bookings/{created['id']}/status", {"status": status})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code
    assert Booking.objects.get().status == "confirmed"


def test_an_unknown_status_answers_422(alice_api, consultation, dora, monday):
    created = create(alice_api, consultation, dora, berlin(monday, 10)).json()
    response = alice_api.post(f"/bookings/{created['id']}/status", {"status": "lost"})
    assert response.status_code == 422
    assert "status" in response.json()["error"]["fields"]


def test_reading_an_appointment_shows_its_group(alice_api, yoga, dora, monday):
    charlie = create(alice_api, yoga, dora, berlin(monday, 10), "Charlie", party_size=2).json()
    create(alice_api, yoga, dora, berlin(monday, 10), "Dave")
    body = alice_api.get(f"/appointments/{charlie['appointment_id']}").json()
    assert (body["capacity"], body["seats_taken"], body["seats_left"]) == (5, 3, 2)
    assert [(item["customer"]["name"], item["party_size"]) for item in body["bookings"]] == [
        ("Charlie", 2),
        ("Dave", 1),
    ]
    assert body["meeting"] is None


def test_rescheduling_an_appointment_moves_the_whole_group(alice_api, yoga, dora, monday):
    charlie = create(alice_api, yoga, dora, berlin(monday, 10), "Charlie").json()
    create(alice_api, yoga, dora, berlin(monday, 10), "Dave")
    response = alice_api.post(
        f"/appointments/{charlie['appointment_id']}/reschedule", {"start": berlin(monday, 15).isoformat()}
    )
    assert response.status_code == 200
    assert datetime.fromisoformat(response.json()["start"]) == berlin(monday, 15)
    assert {booking.appointment.start for booking in Booking.objects.all()} == {berlin(monday, 15)}


def test_rescheduling_an_appointment_onto_another_session_answers_409(alice_api, yoga, dora, monday):
    charlie = create(alice_api, yoga, dora, berlin(monday, 10), "Charlie").json()
    create(alice_api, yoga, dora, berlin(monday, 15), "Dave")
    response = alice_api.post(
        f"/appointments/{charlie['appointment_id']}/reschedule", {"start": berlin(monday, 15).isoformat()}
    )
    assert response.status_code == 409
    assert Appointment.objects.get(pk=charlie["appointment_id"]).start == berlin(monday, 10)
