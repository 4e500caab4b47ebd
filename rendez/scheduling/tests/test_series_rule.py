"""The repeat rule of a series (scheduling/series.py): pure, so properties over many rules and zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rendez.scheduling.models import SERIES_MAX_OCCURRENCES
from rendez.scheduling.series import Repeat, RepeatError, occurrences, shifted

BERLIN = ZoneInfo("Europe/Berlin")
ZONES = [ZoneInfo(name) for name in ("Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC")]

zones = st.sampled_from(ZONES)
# Wall-clock times that exist every day in these zones (their DST gaps are between 00:00 and 03:00).
walls = st.builds(time, st.integers(4, 22), st.sampled_from([0, 15, 30, 45]))
days = st.dates(date(2026, 1, 1), date(2028, 12, 31))
frequencies = st.sampled_from(["daily", "weekly", "monthly"])
intervals = st.integers(1, 6)
counts = st.integers(1, SERIES_MAX_OCCURRENCES)


def local(day: date, wall: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, wall, tzinfo=zone)


@settings(max_examples=200, deadline=None)
@given(day=days, wall=walls, zone=zones, frequency=frequencies, interval=intervals, count=counts)
def test_every_occurrence_keeps_the_first_ones_wall_clock_time(day, wall, zone, frequency, interval, count):
    starts = occurrences(local(day, wall, zone), Repeat(frequency, interval, count=count), zone)

    assert len(starts) == count
    assert all(start.tzinfo is UTC for start in starts)
    assert {start.astimezone(zone).time() for start in starts} == {wall}
    assert starts == sorted(set(starts))
    assert starts[0] == local(day, wall, zone)


@settings(max_examples=200, deadline=None)
@given(day=days, wall=walls, zone=zones, interval=intervals, count=counts)
def test_weekly_stays_on_the_weekday_and_steps_whole_weeks(day, wall, zone, interval, count):
    starts = occurrences(local(day, wall, zone), Repeat("weekly", interval, count=count), zone)

    local_days = [start.astimezone(zone).date() for start in starts]
    assert {d.weekday() for d in local_days} == {day.weekday()}
    assert all((b - a).days == 7 * interval for a, b in zip(local_days, local_days[1:], strict=False))


@settings(max_examples=200, deadline=None)
@given(day=days, wall=walls, zone=zones, interval=intervals, count=st.integers(1, 24))
def test_monthly_keeps_the_day_of_month_and_skips_months_without_it(day, wall, zone, interval, count):
    starts = occurrences(local(day, wall, zone), Repeat("monthly", interval, count=count), zone)

    local_days = [start.astimezone(zone).date() for start in starts]
    assert len(local_days) == count
    assert {d.day for d in local_days} == {day.day}
    months = [d.year * 12 + d.month - 1 for d in local_days]
    assert all((b - a) % interval == 0 for a, b in zip(months, months[1:], strict=False))


@settings(max_examples=200, deadline=None)
@given(day=days, wall=walls, zone=zones, frequency=frequencies, interval=intervals, span=st.integers(0, 400))
def test_until_includes_its_day_and_nothing_after(day, wall, zone, frequency, interval, span):
    until = day + timedelta(days=span)
    rule = Repeat(frequency, interval, until=until)
    try:
        starts = occurrences(local(day, wall, zone), rule, zone)
    except RepeatError as refused:
        assert refused.code == "too_many_occurrences"
        return
    local_days = [start.astimezone(zone).date() for start in starts]
    assert 1 <= len(local_days) <= SERIES_MAX_OCCURRENCES
    assert local_days[0] == day and max(local_days) <= until
    # The next occurrence would be past `until`: the one after the last, by a count one longer (a rule of
    # exactly the maximum has no longer count to compare with).
    if len(starts) < SERIES_MAX_OCCURRENCES:
        longer = occurrences(local(day, wall, zone), Repeat(frequency, interval, count=len(starts) + 1), zone)
        assert longer[-1].astimezone(zone).date() > until


def test_a_weekly_class_stays_at_ten_local_across_the_change_to_winter_time():
    first = datetime(2026, 10, 19, 10, tzinfo=BERLIN)  # CEST, UTC+2

    starts = occurrences(first, Repeat("weekly", count=3), BERLIN)

    assert [s.strftime("%d %H:%M") for s in starts] == ["19 08:00", "26 09:00", "02 09:00"]


def test_monthly_from_the_31st_skips_short_months():
    first = datetime(2027, 1, 31, 18, tzinfo=BERLIN)

    starts = occurrences(first, Repeat("monthly", count=4), BERLIN)

    assert [s.astimezone(BERLIN).date() for s in starts] == [
        date(2027, 1, 31),
        date(2027, 3, 31),
        date(2027, 5, 31),
        date(2027, 7, 31),
    ]


def test_a_time_in_the_spring_gap_moves_forward_by_the_gap():
    first = datetime(2027, 3, 21, 2, 30, tzinfo=BERLIN)

    starts = occurrences(first, Repeat("weekly", count=2), BERLIN)

    assert starts[1].astimezone(BERLIN).strftime("%d %H:%M") == "28 03:30"


@pytest.mark.parametrize(
    ("rule", "code", "field"),
    [
        (Repeat("weekly"), "invalid_repeat", "repeat"),
        (Repeat("weekly", count=2, until=date(2027, 1, 1)), "invalid_repeat", "repeat"),
        (Repeat("weekly", count=SERIES_MAX_OCCURRENCES + 1), "too_many_occurrences", "repeat.count"),
        (Repeat("weekly", count=0), "too_many_occurrences", "repeat.count"),
        (Repeat("weekly", interval=0, count=2), "invalid_repeat", "repeat.interval"),
        (Repeat("yearly", count=2), "invalid_repeat", "repeat.frequency"),  # type: ignore[arg-type]
        (Repeat("daily", until=date(2027, 12, 31)), "too_many_occurrences", "repeat.until"),
        (Repeat("daily", until=date(2026, 12, 31)), "invalid_repeat", "repeat.until"),
    ],
)
def test_rules_that_cannot_be_a_series_are_refused_with_the_part_at_fault(rule, code, field):
    with pytest.raises(RepeatError) as refused:
        occurrences(datetime(2027, 1, 4, 10, tzinfo=BERLIN), rule, BERLIN)

    assert (refused.value.code, refused.value.field) == (code, field)


def test_an_end_date_past_the_booking_horizon_is_refused_not_cut_short():
    with pytest.raises(RepeatError) as refused:
        occurrences(
            datetime(2027, 1, 4, 10, tzinfo=BERLIN),
            Repeat("weekly", until=date(2027, 3, 1)),
            BERLIN,
            last_day=date(2027, 2, 28),
        )

    assert refused.value.code == "too_far"


@settings(max_examples=100, deadline=None)
@given(day=days, wall=walls, zone=zones, hours=st.integers(-30, 30), weeks=st.integers(1, 30))
def test_moving_following_occurrences_keeps_their_wall_clock_offset(day, wall, zone, hours, weeks):
    old_first = local(day, wall, zone)
    new_first = (old_first.replace(tzinfo=None) + timedelta(hours=hours)).replace(tzinfo=zone)
    later = local(day + timedelta(weeks=weeks), wall, zone)

    moved = shifted(later, old_first, new_first, zone)

    expected_wall = later.replace(tzinfo=None) + timedelta(hours=hours)
    if (
        expected_wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        == expected_wall
    ):
        assert moved.astimezone(zone).replace(tzinfo=None) == expected_wall
