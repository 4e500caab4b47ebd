"""The booking path's hand-written statements are server-side prepared on PostgreSQL (rendez/lib/rows.py
`cursor`), and not when settings.DB_PREPARED_STATEMENTS is off (a pooler that cannot keep them)."""

from __future__ import annotations

import pytest
from django.db import connection

from rendez.api.tests.fixtures import berlin, booking_body
from rendez.scheduling.models import Booking

pytestmark = pytest.mark.postgres


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_a_booking_prepares_its_hand_written_statements(alice_api, consultation, dora, monday):
    response = alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, 10)))

    assert response.status_code == 201, response.content
    prepared = "\n".join(prepared_statements())
    for table in ("scheduling_customer", "scheduling_appointment", "scheduling_booking", "jobs_job"):
        assert f'INSERT INTO "{table}"' in prepared
    assert "FOR UPDATE OF staff" in prepared


def test_a_second_booking_answers_the_same_through_the_prepared_statements(
    alice_api, consultation, dora, monday
):
    first = alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, 10)))
    second = alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, 11)))

    assert (first.status_code, second.status_code) == (201, 201)
    assert alice_api.get(f"/bookings/{second.json()['id']}").json() == second.json()
    assert Booking.objects.count() == 2


def cursor_classes(book) -> set[str]:
    """The psycopg cursor classes the statements of `book()` ran on."""
    seen: set[str] = set()

    def record(execute, sql, params, many, context):
        seen.add(type(context["cursor"].cursor).__name__)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        book()
    return seen


def test_the_booking_statements_run_on_the_preparing_cursor(alice_api, consultation, dora, monday):
    classes = cursor_classes(
        lambda: alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, 10)))
    )

    assert "_PreparingCursor" in classes


def test_nothing_is_prepared_when_turned_off(alice_api, consultation, dora, monday, settings):
    settings.DB_PREPARED_STATEMENTS = False

    classes = cursor_classes(
        lambda: alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, 10)))
    )

    assert "_PreparingCursor" not in classes
    assert Booking.objects.count() == 1
