"""Booking "any available" with a fresh coaching practice: round robin by weight, priority, least busy, first
free, and the daily and weekly caps (docs/scheduling.md)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from rendez.scheduling import any_staff, catalog, services
from rendez.scheduling.availability import Interval
from rendez.scheduling.models import Booking, Service, Staff
from rendez.scheduling.tests.factories import book, customer, make_service, make_staff, make_tenant, utc
from rendez.scheduling.tests.fixtures import NOW

pytestmark = pytest.mark.django_db

# Tuesday 2 June 2026 in Berlin (UTC+2): coaches work 09:00-17:00, i.e. 07:00-15:00 UTC.
TUESDAY = utc(2026, 6, 2, 7)
WEDNESDAY = TUESDAY + timedelta(days=1)


def hour(base: datetime, n: int) -> datetime:
    return base + timedelta(hours=n)


@pytest.fixture
def practice(db):
    return make_tenant("coaching", name="North Star Coaching")


@pytest.fixture
def coaches(practice) -> list[Staff]:
    return [make_staff(practice, name) for name in ("Ana", "Ben", "Cleo")]


def session(practice, coaches, assignment: str = "round_robin", **fields) -> Service:
    return make_service(
        practice, *coaches, name="Coaching session", duration_minutes=60, assignment=assignment, **fields
    )


def configure(member: Staff, **changes) -> Staff:
    return catalog.update_staff(member, catalog.StaffChanges(**changes))


def anyone(service: Service, start: datetime, who: str = "Client", **kwargs) -> Booking:
    candidates = list(service.staff.order_by("name", "pk"))
    return any_staff.book_any_available(service, candidates, start, customer(who), now=NOW, **kwargs)


def chosen(booking: Booking) -> str:
    return booking.appointment.staff.name


def test_round_robin_follows_the_weights(practice, coaches):
    configure(coaches[2], assignment_weight=2)
    service = session(practice, coaches)
    picks = [chosen(anyone(service, hour(TUESDAY, n), f"Client{n}")) for n in range(8)]
    assert picks == ["Ana", "Ben", "Cleo", "Cleo", "Ana", "Ben", "Cleo", "Cleo"]
    assert Counter(picks) == {"Ana": 2, "Ben": 2, "Cleo": 4}
    assert set(Booking.objects.values_list("assigned_by", flat=True)) == {"round_robin"}


def test_round_robin_passes_over_whoever_is_taken_then(practice, coaches):
    service = session(practice, coaches)
    book(service, coaches[0], TUESDAY, "Walkin", now=NOW)
    assert chosen(anyone(service, TUESDAY)) == "Ben"


def test_round_robin_counts_only_assignments_of_this_service_that_stand(practice, coaches):
    service = session(practice, coaches)
    other = make_service(practice, *coaches, name="Intro call", duration_minutes=30)
    # Chosen by name, or for another service, or cancelled: none of these is Ana's turn taken.
    book(service, coaches[0], hour(TUESDAY, 1), "Regular", now=NOW)
    any_staff.book_any_available(other, coaches, hour(TUESDAY, 2), customer("Intro"), now=NOW)
    services.cancel_booking(anyone(service, hour(TUESDAY, 3), "Canceller"), now=NOW)
    assert chosen(anyone(service, hour(TUESDAY, 4))) == "Ana"


def test_priority_goes_first_while_free(practice, coaches):
    configure(coaches[1], assignment_priority=10)
    service = session(practice, coaches)
    assert [chosen(anyone(service, hour(TUESDAY, n), f"C{n}")) for n in range(3)] == ["Ben"] * 3
    book(service, coaches[1], hour(TUESDAY, 3), "Regular", now=NOW)
    assert chosen(anyone(service, hour(TUESDAY, 3))) == "Ana"


def test_least_busy_picks_the_fewest_sessions_that_week(practice, coaches):
    service = session(practice, coaches, assignment="least_busy")
    ana, ben, cleo = coaches
    for n in range(3):
        book(service, ana, hour(WEDNESDAY, n), f"A{n}", now=NOW)
    book(service, ben, hour(WEDNESDAY, 4), "B", now=NOW)
    book(service, cleo, hour(WEDNESDAY, 5), "C1", now=NOW)
    book(service, cleo, hour(WEDNESDAY, 6), "C2", now=NOW)
    # Sessions of the week after do not make Ben busier this week.
    for n in range(3):
        book(service, ben, hour(TUESDAY + timedelta(days=7), n), f"Later{n}", now=NOW)
    booking = anyone(service, TUESDAY)
    assert (chosen(booking), booking.assigned_by) == ("Ben", "least_busy")


def test_first_free_is_todays_behaviour_by_name(practice, coaches):
    service = session(practice, coaches, assignment="first_free")
    assert [chosen(anyone(service, hour(TUESDAY, n), f"C{n}")) for n in range(3)] == ["Ana"] * 3
    assert chosen(anyone(service, hour(TUESDAY, 0), "Second")) == "Ben"
    assert Booking.objects.filter(assigned_by="first_free").count() == 4


def test_a_daily_cap_is_never_passed_and_skips_to_the_next(practice, coaches):
    ana = configure(coaches[0], max_assignments_per_day=1)
    service = session(practice, [ana, *coaches[1:]], assignment="first_free")
    assert chosen(anyone(service, hour(TUESDAY, 0), "First")) == "Ana"
    assert chosen(anyone(service, hour(TUESDAY, 1), "Second")) == "Ben"
    assert chosen(anyone(service, hour(WEDNESDAY, 0), "Next day")) == "Ana"


def test_a_weekly_cap_counts_monday_to_sunday(practice, coaches):
    ana = configure(coaches[0], max_assignments_per_week=2)
    service = session(practice, [ana, *coaches[1:]], assignment="first_free")
    picks = [chosen(anyone(service, hour(TUESDAY + timedelta(days=n), 0), f"C{n}")) for n in range(3)]
    assert picks == ["Ana", "Ana", "Ben"]
    next_monday = TUESDAY + timedelta(days=6)
    assert chosen(anyone(service, next_monday, "New week")) == "Ana"


def test_a_cap_counts_every_session_that_day_however_booked(practice, coaches):
    ana = configure(coaches[0], max_assignments_per_day=2)
    service = session(practice, [ana, *coaches[1:]], assignment="first_free")
    book(service, ana, hour(TUESDAY, 0), "Regular", now=NOW)
    done = book(service, ana, hour(TUESDAY, 1), "Morning", now=NOW)
    # Marked completed, the morning session gives back its seat and still took a place of the day.
    services.set_status(done, Booking.Status.COMPLETED, now=hour(TUESDAY, 2))
    assert chosen(anyone(service, hour(TUESDAY, 3))) == "Ben"


def test_a_person_choosing_a_capped_coach_by_name_is_not_held_to_the_cap(practice, coaches):
    ana = configure(coaches[0], max_assignments_per_day=1)
    service = session(practice, [ana, *coaches[1:]], assignment="first_free")
    anyone(service, hour(TUESDAY, 0))
    booking = book(service, ana, hour(TUESDAY, 1), "Regular", now=NOW)
    assert (chosen(booking), booking.assigned_by) == ("Ana", "")


def test_a_cap_of_zero_means_only_by_name(practice, coaches):
    ana = configure(coaches[0], max_assignments_per_day=0)
    service = session(practice, [ana, *coaches[1:]], assignment="first_free")
    assert chosen(anyone(service, TUESDAY)) == "Ben"
    assert chosen(book(service, ana, TUESDAY, "Regular", now=NOW)) == "Ana"


def test_the_writer_refuses_an_assignment_past_the_cap_as_a_conflict(practice, coaches):
    ana = configure(coaches[0], max_assignments_per_day=1)
    service = session(practice, [ana])
    anyone(service, hour(TUESDAY, 0))
    with pytest.raises(services.BookingError) as refused:
        services.book(
            service=service,
            staff=ana,
            start=hour(TUESDAY, 1),
            customer=customer("Late"),
            now=NOW,
            assignment="round_robin",
        )
    assert refused.value.conflict and refused.value.code == "assignment_cap_reached"
    assert Booking.objects.count() == 1


@pytest.mark.parametrize("policy", ["round_robin", "least_busy", "first_free"])
def test_nobody_free_says_why(practice, coaches, policy):
    service = session(practice, coaches[:1], assignment=policy)
    anyone(service, TUESDAY)
    with pytest.raises(services.BookingError) as refused:
        anyone(service, TUESDAY, "Second")
    assert refused.value.conflict and refused.value.code == "conflict"
    with pytest.raises(services.BookingError) as past:
        anyone(service, utc(2026, 5, 29, 8), "Late")  # last Friday, 10:00 in Berlin
    assert (past.value.code, past.value.conflict) == ("in_past", False)


def test_joining_a_group_session_at_the_cap_adds_no_work(practice, coaches):
    ana = configure(coaches[0], max_assignments_per_day=1)
    group = session(practice, [ana, *coaches[1:]], assignment="first_free", capacity=4)
    first, second = anyone(group, TUESDAY, "First"), anyone(group, TUESDAY, "Second")
    assert first.appointment_id == second.appointment_id and chosen(second) == "Ana"
    assert chosen(anyone(group, hour(TUESDAY, 2), "Later")) == "Ben"


def test_any_available_slots_leave_out_a_coach_at_their_cap(practice, coaches):
    ana = configure(coaches[0], max_assignments_per_day=1)
    ben = configure(coaches[1], max_assignments_per_day=1)
    service = session(practice, [ana, ben], assignment="first_free")
    day = Interval(TUESDAY, hour(TUESDAY, 8))
    assert {member.name for member, _ in any_staff.free_slots(service, [ana, ben], day, NOW)} == {
        "Ana",
        "Ben",
    }
    anyone(service, hour(TUESDAY, 0))
    left = any_staff.free_slots(service, [ana, ben], day, NOW)
    assert {member.name for member, _ in left} == {"Ben"}
    anyone(service, hour(TUESDAY, 1))
    assert any_staff.free_slots(service, [ana, ben], day, NOW) == []
    # Wednesday is another day.
    assert any_staff.free_slots(service, [ana, ben], Interval(WEDNESDAY, hour(WEDNESDAY, 8)), NOW)


def test_the_chosen_coachs_name_is_on_the_booking_not_any_available(practice, coaches):
    service = session(practice, coaches)
    booking = anyone(service, TUESDAY)
    assert str(booking.appointment) == "Coaching session with Ana at 2026-06-02 07:00Z"


@pytest.mark.parametrize("policy", ["round_robin", "least_busy", "first_free"])
def test_a_team_of_eight_costs_the_queries_of_a_team_of_two(practice, policy):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    team = [make_staff(practice, f"Coach{n}") for n in range(8)]
    for member in team:
        configure(member, max_assignments_per_day=5)
    small = make_service(practice, *team[:2], name="Small", duration_minutes=60, assignment=policy)
    large = make_service(practice, *team, name="Large", duration_minutes=60, assignment=policy)
    costs: list[int] = []
    for service in (small, large, small, large):
        with CaptureQueriesContext(connection) as queries:
            anyone(service, hour(TUESDAY, len(costs)), f"Client{len(costs)}")
        costs.append(len(queries))
    assert costs[2] == costs[3] <= 20, costs


@pytest.mark.parametrize("assignment", ["round_robin", "least_busy", "first_free"])
def test_a_group_class_fills_up_before_another_coach_opens_a_second(practice, coaches, assignment):
    """Three people choosing "any available" for the 10:00 class sit in one class, whatever the policy: the
    open session is joined first, and only a full one makes room for another coach's."""
    yoga = session(practice, coaches, assignment, capacity=3)

    first = [anyone(yoga, TUESDAY, f"Client{n}") for n in range(3)]
    fourth = anyone(yoga, TUESDAY, "Client3")

    assert len({booking.appointment_id for booking in first}) == 1
    assert fourth.appointment_id != first[0].appointment_id
