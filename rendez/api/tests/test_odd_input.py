"""Odd input found by fuzzing (or feared): always a 4xx in the error shape, never a 500."""

from __future__ import annotations

import pytest

from rendez.api.tests.fixtures import berlin, booking_body

HUGE = "99999999999999999999"  # beyond 64 bits


@pytest.mark.parametrize(
    "path",
    [
        f"/bookings/{HUGE}",
        f"/appointments/{HUGE}",
        f"/services/{HUGE}",
        f"/staff/{HUGE}",
        "/bookings/-1",
        "/services/0",
    ],
)
def test_ids_out_of_range_are_not_found(alice_api, path):
    response = alice_api.get(path)
    assert response.status_code in (404, 422)
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_huge_ids_in_a_body_are_refused(alice_api, consultation, dora, monday):
    body = booking_body(consultation, dora, berlin(monday, 10))
    body["service_id"] = int(HUGE)
    response = alice_api.post("/bookings", body)
    assert response.status_code in (404, 422)
    response = alice_api.post("/services", {"name": "X", "duration_minutes": 30, "staff_ids": [int(HUGE)]})
    assert response.status_code == 422


def test_huge_ids_in_a_query_are_refused(alice_api, consultation, monday):
    query = {"service_id": HUGE, "date_from": monday.isoformat(), "date_to": monday.isoformat()}
    assert alice_api.get("/slots", query).status_code in (404, 422)
    query = {
        "service_id": consultation.pk,
        "staff_id": HUGE,
        "date_from": monday.isoformat(),
        "date_to": monday.isoformat(),
    }
    assert alice_api.get("/slots", query).status_code in (404, 422)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/staff", {"name": "Nul\x00l"}),
        ("/staff", {"name": "Ines", "phone": "\x00"}),
        ("/services", {"name": "Nul\x00l", "duration_minutes": 30}),
        ("/services", {"name": "Ok", "description": "\x00", "duration_minutes": 30}),
    ],
)
def test_nul_characters_are_refused(alice_api, path, body):
    response = alice_api.post(path, body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


def test_nul_characters_in_a_booking_are_refused(alice_api, consultation, dora, monday):
    body = booking_body(consultation, dora, berlin(monday, 10))
    body["customer"]["name"] = "Char\x00lie"
    body["notes"] = "\x00"
    assert alice_api.post("/bookings", body).status_code == 422


def test_nul_characters_in_a_filter_are_refused(alice_api, db):
    assert alice_api.get("/bookings", {"customer_email": "a\x00b@example.com"}).status_code == 422


@pytest.mark.parametrize("tz", ["\x00", "../../etc/passwd", "Europe/Berlin\x00", "", " ", "x" * 300])
def test_odd_zones_are_refused_or_ignored(alice_api, consultation, monday, tz):
    query = {
        "service_id": consultation.pk,
        "date_from": monday.isoformat(),
        "date_to": monday.isoformat(),
        "tz": tz,
    }
    assert alice_api.get("/slots", query).status_code in (200, 422)


def test_a_body_that_is_not_json_is_a_400_in_the_error_shape(alice_api, db):
    response = alice_api.client.post(
        "/api/v1/bookings", "{not json", content_type="application/json", headers=alice_api._headers()
    )
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("is_active", 0), ("is_active", "true"), ("duration_minutes", "30"), ("duration_minutes", True)],
)
def test_json_types_are_not_coerced(alice_api, field, value):
    body = {"name": "Coaching", "duration_minutes": 30, field: value}
    response = alice_api.post("/services", body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize("value", ["0", "1700000000", "2030-1-1", "07/01/2030"])
def test_dates_must_be_iso(alice_api, consultation, value):
    response = alice_api.get(
        "/slots", {"service_id": consultation.pk, "date_from": value, "date_to": "2030-01-02"}
    )
    assert response.status_code == 422
    assert "date_from" in response.json()["error"]["fields"]


@pytest.mark.parametrize("value", ["09:00Z", "09:00+01:00", "9am", "25:00"])
def test_working_hours_are_wall_clock_times(alice_api, value):
    response = alice_api.post(
        "/staff", {"name": "Ines", "working_hours": [{"weekday": 0, "start": value, "end": "17:00"}]}
    )
    assert response.status_code == 422
