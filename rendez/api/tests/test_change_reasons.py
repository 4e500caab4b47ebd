"""Reasons through the API: cancel, reschedule, status and an appointment's reschedule take an optional
`reason`; the booking's `changes` (GET, and the answer to a change) list what happened, why and by whom
("API" for a key). A reason too long is a 422 on `reason` that changes nothing; another tenant's key finds
nothing to change."""

from __future__ import annotations

import pytest

from rendez.api.tests.fixtures import berlin, booking_body
from rendez.scheduling.models import Booking, BookingChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(alice_api, consultation, dora, monday) -> dict:
    return alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, 10))).json()


def _moment(start) -> str:
    return f"{start:%a} {start.day} {start:%b %H:%M}"


def test_a_new_booking_has_no_changes_and_a_list_does_not_read_them(alice_api, booking):
    assert booking["changes"] == []
    assert alice_api.get(f"/bookings/{booking['id']}").json()["changes"] == []
    assert [row["changes"] for row in alice_api.get("/bookings").json()["items"]] == [None]


def test_cancelling_with_a_reason_keeps_it_in_the_changes(alice_api, booking):
    response = alice_api.post(f"/bookings/{booking['id']}/cancel", {"reason": "Customer phoned"})

    assert response.status_code == 200
    (change,) = response.json()["changes"]
    assert {key: change[key] for key in ("kind", "summary", "reason", "by")} == {
        "kind": "cancelled",
        "summary": "Cancelled",
        "reason": "Customer phoned",
        "by": "API",
    }
    assert alice_api.get(f"/bookings/{booking['id']}").json()["changes"] == [change]


@pytest.mark.parametrize("content_type", ["application/json", ""])
def test_cancelling_still_takes_no_body_at_all(alice_api, booking, content_type):
    response = alice_api.client.generic(
        "POST",
        f"/api/v1/bookings/{booking['id']}/cancel",
        b"",
        content_type=content_type,
        headers={"Authorization": f"Bearer {alice_api.key}"},
    )

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert [(c["summary"], c["reason"]) for c in response.json()["changes"]] == [("Cancelled", "")]


def test_a_cancel_body_must_be_an_object(alice_api, booking):
    response = alice_api.client.post(
        f"/api/v1/bookings/{booking['id']}/cancel",
        "[]",
        content_type="application/json",
        headers={"Authorization": f"Bearer {alice_api.key}"},
    )

    assert response.status_code in (400, 422) and "error" in response.json()
    assert Booking.objects.get(pk=booking["id"]).status == "confirmed"


def test_rescheduling_and_a_status_change_keep_their_reasons_newest_first(alice_api, booking, monday):
    moved = alice_api.post(
        f"/bookings/{booking['id']}/reschedule",
        {"start": berlin(monday, 14).isoformat(), "reason": "Dora's training"},
    )
    assert moved.status_code == 200
    confirmed = alice_api.post(f"/bookings/{booking['id']}/status", {"status": "cancelled", "reason": "Ill"})

    assert [(c["kind"], c["summary"], c["reason"]) for c in confirmed.json()["changes"]] == [
        ("cancelled", "Cancelled", "Ill"),
        (
            "rescheduled",
            f"Moved from {_moment(berlin(monday, 10))} to {_moment(berlin(monday, 14))} (Europe/Berlin)",
            "Dora's training",
        ),
    ]


def test_moving_an_appointment_writes_the_reason_on_each_booking(alice_api, yoga, dora, monday):
    first = alice_api.post("/bookings", booking_body(yoga, dora, berlin(monday, 10))).json()
    second = alice_api.post("/bookings", booking_body(yoga, dora, berlin(monday, 10), "Dave")).json()

    response = alice_api.post(
        f"/appointments/{first['appointment_id']}/reschedule",
        {"start": berlin(monday, 15).isoformat(), "reason": "Hall taken"},
    )

    assert response.status_code == 200
    for booked in (first, second):
        changes = alice_api.get(f"/bookings/{booked['id']}").json()["changes"]
        assert [(c["kind"], c["reason"], c["by"]) for c in changes] == [("rescheduled", "Hall taken", "API")]


@pytest.mark.parametrize(
    "path, body",
    [
        ("cancel", {}),
        ("status", {"status": "cancelled"}),
        ("reschedule", {"start": "START"}),
    ],
)
def test_a_reason_too_long_answers_422_on_reason_and_changes_nothing(alice_api, booking, monday, path, body):
    body = {key: berlin(monday, 14).isoformat() if value == "START" else value for key, value in body.items()}

    response = alice_api.post(f"/bookings/{booking['id']}/{path}", {**body, "reason": "x" * 1001})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"] == {"reason": "Must be at most 1000 characters long."}
    after = Booking.objects.select_related("appointment").get(pk=booking["id"])
    assert after.status == "confirmed" and after.appointment.start == berlin(monday, 10)
    assert not BookingChange.objects.exists()


def test_a_reason_must_be_text(alice_api, booking):
    response = alice_api.post(f"/bookings/{booking['id']}/cancel", {"reason": 42})

    assert response.status_code == 422 and "reason" in response.json()["error"]["fields"]
    assert Booking.objects.get(pk=booking["id"]).status == "confirmed"


def test_another_tenants_key_finds_nothing_to_change(bob_api, booking, monday):
    cancel = bob_api.post(f"/bookings/{booking['id']}/cancel", {"reason": "Not mine"})
    status = bob_api.post(f"/bookings/{booking['id']}/status", {"status": "cancelled", "reason": "No"})
    read = bob_api.get(f"/bookings/{booking['id']}")

    assert (cancel.status_code, status.status_code, read.status_code) == (404, 404, 404)
    assert Booking.objects.get(pk=booking["id"]).status == "confirmed"
    assert not BookingChange.objects.exists()


def test_the_openapi_document_says_where_a_reason_goes(alice_api, db):
    schemas = alice_api.client.get("/api/v1/openapi.json").json()["components"]["schemas"]

    for name in ("ChangeIn", "RescheduleIn", "StatusIn"):
        reason = schemas[name]["properties"]["reason"]
        assert reason["maxLength"] == 1000 and "never sent to the customer" in reason["description"]
    assert "changes" in schemas["BookingOut"]["properties"]
    assert '"API"' in schemas["BookingChangeOut"]["properties"]["by"]["description"]
