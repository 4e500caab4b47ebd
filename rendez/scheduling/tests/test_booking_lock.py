"""What a booking reads while it holds the staff member's lock: only their appointments. Hours and time off
are read before it (their writers never read appointments; see _booking_create._schedules_before_lock)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rendez.scheduling import services
from rendez.scheduling.tests.factories import customer, utc
from rendez.scheduling.tests.fixtures import NOW

TUESDAY_TEN = utc(2026, 6, 2, 8)


def book_by_ids(service, staff, start):
    return services.book_by_ids(
        tenant_id=service.tenant_id,
        service_id=service.pk,
        staff_id=staff.pk,
        start=start,
        customer=customer(),
        now=NOW,
    )


def test_hours_and_time_off_are_read_before_the_lock_and_appointments_after(consultation, dora):
    with CaptureQueriesContext(connection) as captured:
        book_by_ids(consultation, dora, TUESDAY_TEN)
    statements = [query["sql"] for query in captured.captured_queries]

    def position(table: str) -> int:
        return next(
            i for i, sql in enumerate(statements) if f"FROM {connection.ops.quote_name(table)}" in sql
        )

    lock = position("scheduling_service")
    assert position("scheduling_workinghours") < lock
    assert position("scheduling_timeoff") < lock
    assert position("scheduling_appointment") > lock


@pytest.mark.parametrize("start", [datetime.max.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC)])
def test_a_start_at_the_ends_of_the_calendar_is_refused_not_an_overflow(consultation, dora, start):
    with pytest.raises(services.BookingError) as refused:
        book_by_ids(consultation, dora, start)
    assert refused.value.code in {"too_far", "in_past"}
