"""The API's reads touch only the calling tenant's rows, through indexes, beside 100 other tenants.

PostgreSQL only: each request is made with alice's key beside 20,000 appointments, bookings, deliveries and
failed meetings of other tenants; every query it sends is EXPLAINed, and none may read a crowded table from
end to end (docs/tenancy.md).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rendez.api.tests.fixtures import berlin, booking_body
from rendez.scheduling.tests.crowd import add_other_tenants, whole_table_reads

pytestmark = pytest.mark.postgres


@pytest.fixture
def booked(alice_api, consultation, dora, monday) -> dict:
    response = alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, 10)))
    assert response.status_code == 201
    add_other_tenants()
    return response.json()


def paths(booked: dict, consultation, dora, monday) -> list[str]:
    appointment_id = booked["appointment_id"]
    day = monday.isoformat()
    return [
        "/services",
        "/staff",
        f"/slots?service_id={consultation.pk}&staff_id={dora.pk}&date_from={day}&date_to={day}",
        "/bookings",
        "/bookings?when=past",
        f"/bookings?when=all&date_from={day}&date_to={day}",
        f"/bookings/{booked['id']}",
        "/appointments",
        f"/appointments/{appointment_id}",
    ]


def test_no_api_read_walks_other_tenants_rows(alice_api, booked, consultation, dora, monday):
    for path in paths(booked, consultation, dora, monday):
        with CaptureQueriesContext(connection) as captured:
            assert alice_api.get(path).status_code == 200, path
        selects = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
        scanned = {sql: tables for sql in selects if (tables := whole_table_reads(sql))}
        assert scanned == {}, path
