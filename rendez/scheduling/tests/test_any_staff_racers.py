""" "Any available" under concurrent customers, each on its own PostgreSQL connection: free staff are shared
out one each, and no cap is passed however many ask at once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from rendez.scheduling import any_staff, catalog
from rendez.scheduling.models import Appointment, Booking
from rendez.scheduling.tests.factories import customer, make_service, make_staff, make_tenant, utc
from rendez.scheduling.tests.fixtures import NOW
from rendez.scheduling.tests.test_concurrency import all_at_once, outcome

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TUESDAY_NINE = utc(2026, 6, 2, 7)  # 09:00 in Berlin, where the coaches work 09:00-17:00


@pytest.fixture
def practice(db):
    return make_tenant("coaching", name="North Star Coaching")


def coaching(practice, *names: str, **service_fields):
    coaches = [make_staff(practice, name) for name in names]
    service = make_service(practice, *coaches, name="Coaching session", **service_fields)
    return service, coaches


def test_two_customers_at_once_get_the_last_two_free_coaches(practice):
    service, coaches = coaching(practice, "Ana", "Ben")
    results = all_at_once(
        lambda i: any_staff.book_any_available(
            service, coaches, TUESDAY_NINE, customer(f"Client{i}"), now=NOW
        ),
        clients=2,
    )
    assert [outcome(result) for result in results] == ["booked", "booked"]
    bookings = [result for result in results if isinstance(result, Booking)]
    assert {booking.appointment.staff_id for booking in bookings} == {coaches[0].pk, coaches[1].pk}


def test_a_crowd_for_one_start_gets_each_free_coach_once(practice):
    service, coaches = coaching(practice, "Ana", "Ben", "Cleo")
    results = all_at_once(
        lambda i: any_staff.book_any_available(
            service, coaches, TUESDAY_NINE, customer(f"Client{i}"), now=NOW
        ),
        clients=20,
    )
    assert Counter(outcome(result) for result in results) == {"booked": 3, "conflict": 17}
    taken = Appointment.objects.filter(start=TUESDAY_NINE, seats_taken=1)
    assert sorted(taken.values_list("staff__name", flat=True)) == ["Ana", "Ben", "Cleo"]


def test_no_coach_is_assigned_past_their_daily_cap_however_many_ask_at_once(practice):
    service, coaches = coaching(practice, "Ana", "Ben", duration_minutes=30)
    capped = [
        catalog.update_staff(member, catalog.StaffChanges(max_assignments_per_day=1)) for member in coaches
    ]
    # Sixteen customers, each for another half hour of the same day: all free, two places under the caps.
    results = all_at_once(
        lambda i: any_staff.book_any_available(
            service, capped, TUESDAY_NINE + timedelta(minutes=30 * i), customer(f"Client{i}"), now=NOW
        ),
        clients=16,
    )
    outcomes = Counter(outcome(result) for result in results)
    assert outcomes["booked"] == 2
    assert set(outcomes) <= {"booked", "assignment_cap_reached", "conflict"}
    per_coach = Counter(Booking.objects.values_list("appointment__staff__name", flat=True))
    assert per_coach == {"Ana": 1, "Ben": 1}
