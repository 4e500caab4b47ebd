"""Tenant isolation: alice's key never sees nor touches bob's rows, whatever id she sends."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rendez.api.tests.fixtures import berlin
from rendez.jobs.models import Job
from rendez.scheduling.models import Appointment, Booking, Customer, Service, Staff, WorkingHours
from rendez.scheduling.tests.factories import book, make_service

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def bobs_world(bob, frank, monday):
    checkup = make_service(bob, frank, name="Checkup", duration_minutes=30)
    start = datetime.combine(monday, time(10), tzinfo=NEW_YORK)
    booking = book(checkup, frank, start, "Zoe", now=start - timedelta(days=7))
    return {
        "service": checkup,
        "staff": frank,
        "booking": booking,
        "appointment": booking.appointment,
        "start": start,
    }


def everything() -> tuple:
    return tuple(
        list(model.objects.order_by("pk").values())
        for model in (Service, Staff, WorkingHours, Customer, Appointment, Booking, Job)
    )


def requests_for(world: dict, alice_service, alice_staff) -> list[tuple[str, str, dict | None]]:
    booking, appointment = world["booking"], world["appointment"]
    later = (world["start"] + timedelta(hours=2)).isoformat()
    return [
        ("get", f"/services/{world['service'].pk}", None),
        ("patch", f"/services/{world['service'].pk}", {"name": "Taken over"}),
        ("get", f"/staff/{world['staff'].pk}", None),
        ("patch", f"/staff/{world['staff'].pk}", {"name": "Taken over", "working_hours": []}),
        (
            "get",
            "/slots",
            {"service_id": world["service"].pk, "date_from": "2030-01-01", "date_to": "2030-01-02"},
        ),
        (
            "post",
            "/bookings",
            {
                "service_id": world["service"].pk,
                "staff_id": world["staff"].pk,
                "start": later,
                "customer": {"name": "Mallory", "email": "mallory@example.com"},
            },
        ),
        (
            "post",
            "/bookings",
            {
                "service_id": alice_service.pk,
                "staff_id": world["staff"].pk,
                "start": later,
                "customer": {"name": "Mallory", "email": "mallory@example.com"},
            },
        ),
        ("get", f"/bookings/{booking.pk}", None),
        ("post", f"/bookings/{booking.pk}/reschedule", {"start": later}),
        ("post", f"/bookings/{booking.pk}/cancel", None),
        ("post", f"/bookings/{booking.pk}/status", {"status": "cancelled"}),
        ("get", f"/appointments/{appointment.pk}", None),
        ("post", f"/appointments/{appointment.pk}/reschedule", {"start": later}),
    ]


def test_bobs_ids_are_not_found_for_alice_and_nothing_changes(alice_api, bobs_world, consultation, dora):
    before = everything()
    for method, path, body in requests_for(bobs_world, consultation, dora):
        response = (
            getattr(alice_api, method)(path, body)
            if body is not None or method != "get"
            else alice_api.get(path)
        )
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["error"]["code"] == "not_found"
    assert everything() == before


def test_alice_cannot_move_her_booking_to_bobs_staff(alice_api, bobs_world, consultation, dora, monday):
    mine = book(consultation, dora, berlin(monday, 10), now=berlin(monday, 6) - timedelta(days=7))
    before = everything()
    for path in (f"/bookings/{mine.pk}/reschedule", f"/appointments/{mine.appointment_id}/reschedule"):
        response = alice_api.post(
            path, {"start": berlin(monday, 10).isoformat(), "staff_id": bobs_world["staff"].pk}
        )
        assert response.status_code == 404
    assert everything() == before


def test_lists_hold_only_the_callers_rows(alice_api, bob_api, bobs_world, consultation, dora, monday):
    book(consultation, dora, berlin(monday, 10), now=berlin(monday, 6) - timedelta(days=7))
    for path in ("/services", "/staff", "/bookings", "/appointments"):
        alice_ids = {item["id"] for item in alice_api.get(path).json()["items"]}
        bob_ids = {item["id"] for item in bob_api.get(path).json()["items"]}
        assert alice_ids and bob_ids
        assert not alice_ids & bob_ids, path
    assert [item["customer"]["name"] for item in bob_api.get("/bookings").json()["items"]] == ["Zoe"]


def test_bob_books_his_own_service_with_his_own_key(bob_api, bobs_world):
    start = bobs_world["start"] + timedelta(hours=1)
    response = bob_api.post(
        "/bookings",
        {
            "service_id": bobs_world["service"].pk,
            "staff_id": bobs_world["staff"].pk,
            "start": start.isoformat(),
            "customer": {"name": "Yara", "email": "yara@example.com"},
        },
    )
    assert response.status_code == 201
    assert Booking.objects.get(pk=response.json()["id"]).tenant == bobs_world["service"].tenant
