"""The assignment policies as pure functions: who is asked first for an "any available" booking."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from rendez.scheduling.assignment import Caps, Standing, cap_reached, day_of, ordered, week_of

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


def names(policy: str, standings: list[Standing]) -> list[str]:
    return [standing.name for standing in ordered(policy, standings)]


def coach(staff_id: int, name: str, **fields) -> Standing:
    return Standing(staff_id=staff_id, name=name, **fields)


def test_round_robin_asks_the_smallest_share_for_its_weight_first():
    standings = [
        coach(1, "Ana", assigned=2, weight=1),
        coach(2, "Ben", assigned=3, weight=2),  # 1.5 per unit of weight
        coach(3, "Cleo", assigned=1, weight=1),
    ]
    assert names("round_robin", standings) == ["Cleo", "Ben", "Ana"]


def test_round_robin_breaks_ties_by_who_was_assigned_least_recently():
    standings = [
        coach(1, "Ana", assigned=1, last_assigned=T0 + timedelta(hours=2)),
        coach(2, "Ben", assigned=1, last_assigned=T0),
        coach(3, "Cleo", assigned=1, last_assigned=T0 + timedelta(hours=1)),
    ]
    assert names("round_robin", standings) == ["Ben", "Cleo", "Ana"]


def test_never_assigned_comes_before_assigned_long_ago():
    standings = [coach(1, "Ana", last_assigned=T0), coach(2, "Ben")]
    assert names("round_robin", standings) == ["Ben", "Ana"]


def test_a_higher_priority_is_asked_first_by_every_policy():
    standings = [
        coach(1, "Ana"),
        coach(2, "Ben", priority=5, assigned=9, busy=9),
        coach(3, "Cleo", priority=-1),
    ]
    for policy in ("round_robin", "least_busy", "first_free"):
        assert names(policy, standings) == ["Ben", "Ana", "Cleo"]


def test_least_busy_asks_the_fewest_sessions_that_week_first():
    standings = [coach(1, "Ana", busy=3), coach(2, "Ben", busy=1, assigned=5), coach(3, "Cleo", busy=2)]
    assert names("least_busy", standings) == ["Ben", "Cleo", "Ana"]


def test_least_busy_ties_go_round_robin():
    standings = [coach(1, "Ana", busy=1, assigned=2), coach(2, "Ben", busy=1, assigned=1)]
    assert names("least_busy", standings) == ["Ben", "Ana"]


def test_first_free_goes_by_name_whatever_the_history():
    standings = [coach(2, "Ben"), coach(1, "Ana", assigned=9, busy=9), coach(3, "Cleo")]
    assert names("first_free", standings) == ["Ana", "Ben", "Cleo"]


def test_an_unknown_policy_is_first_free():
    assert names("", [coach(2, "Ben"), coach(1, "Ana", assigned=1)]) == ["Ana", "Ben"]


@given(st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=5), st.integers(20, 120))
def test_round_robin_hands_out_bookings_in_proportion_to_weight(weights, bookings):
    """Giving each booking to the first in round-robin order, nobody's bookings per unit of weight run more
    than their one latest booking ahead of the least served: over time, shares follow the weights."""
    standings = [coach(i, f"Coach {i}", weight=w) for i, w in enumerate(weights)]
    for number in range(bookings):
        first = ordered("round_robin", standings)[0]
        picked = replace(first, assigned=first.assigned + 1, last_assigned=T0 + timedelta(minutes=number))
        standings = [picked if s.staff_id == first.staff_id else s for s in standings]
        least = min(s.share for s in standings)
        assert all(s.share - least <= Fraction(1, s.weight) for s in standings)
    assert sum(s.assigned for s in standings) == bookings


def test_caps_say_which_would_be_passed():
    assert cap_reached(Caps(per_day=2, per_week=None), 1, 9) is None
    assert cap_reached(Caps(per_day=2, per_week=None), 2, 2) == "day"
    assert cap_reached(Caps(per_day=None, per_week=5), 0, 5) == "week"
    assert cap_reached(Caps(per_day=0, per_week=None), 0, 0) == "day"
    assert cap_reached(Caps(None, None), 100, 100) is None


def test_days_and_weeks_are_the_staff_members_own():
    tokyo = ZoneInfo("Asia/Tokyo")
    # 23:30 UTC on Sunday 7 June is Monday 8 June, 08:30 in Tokyo: a new day and a new week there.
    late_sunday = datetime(2026, 6, 7, 23, 30, tzinfo=UTC)
    assert day_of(late_sunday, tokyo).start == datetime(2026, 6, 7, 15, tzinfo=UTC)
    assert week_of(late_sunday, tokyo).start == datetime(2026, 6, 7, 15, tzinfo=UTC)
    assert week_of(late_sunday, tokyo).end == datetime(2026, 6, 14, 15, tzinfo=UTC)
    assert week_of(late_sunday, ZoneInfo("UTC")).start == datetime(2026, 6, 1, tzinfo=UTC)
