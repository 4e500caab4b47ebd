"""The busy read merges each staff member's overlapping and touching blocks: fewer spans, the same slots and
the same booking verdicts as the raw blocks, whatever the blocks, hours, buffers and durations."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rendez.calendars import busy
from rendez.calendars.models import BusyBlock, CalendarConnection
from rendez.scheduling.availability import (
    BusyAppointment,
    Calendar,
    Interval,
    check_start,
    free_slots_of_staff,
)
from rendez.scheduling.calendars import find_slots_by_staff_id, load_calendars, rules_for
from rendez.scheduling.tests.factories import make_service, make_staff, make_tenant

# A Monday well ahead, so no slot is refused for being past or too soon.
MONDAY = date(2031, 3, 3)
BASE = datetime.combine(MONDAY, time(0), tzinfo=UTC)
NOW = BASE - timedelta(days=7)
WINDOW = Interval(BASE, BASE + timedelta(days=3))
_tenants = itertools.count()


def blocks_read_raw(staff_id: int) -> list[Interval]:
    """The staff member's blocks one by one, as the ORM reads them: what the merged read must stand for."""
    return [Interval(b.start, b.end) for b in BusyBlock.objects.filter(staff_id=staff_id)]


def as_appointments(spans: list[Interval]) -> list[BusyAppointment]:
    """Blocks as the search took them before they were merged: an appointment nobody can join, each."""
    return [BusyAppointment(span.start, span.end, span, seats_taken=1, capacity=1) for span in spans]


hours = st.lists(
    st.tuples(st.integers(0, 23 * 4), st.integers(1, 12 * 4)).map(
        lambda start_len: (start_len[0] * 15, min(start_len[0] * 15 + start_len[1] * 15, 24 * 60 - 1))
    ),
    min_size=1,
    max_size=2,
)
# Blocks from a day before the window to a day after it, many overlapping or touching (15-minute grid), some
# all-day, some outside working hours.
blocks = st.lists(
    st.tuples(st.integers(-24 * 4, 4 * 24 * 4), st.integers(1, 24 * 4)).map(
        lambda start_len: (start_len[0] * 15, start_len[1] * 15)
    ),
    max_size=30,
)


def clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    hours=hours,
    blocks=blocks,
    duration=st.sampled_from([15, 30, 45, 60, 90]),
    interval=st.sampled_from([15, 30, 60]),
    buffer_before=st.sampled_from([0, 5, 15, 30]),
    buffer_after=st.sampled_from([0, 10, 15, 45]),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "UTC"]),
)
def test_slots_and_verdicts_with_merged_blocks_equal_those_with_the_raw_blocks(
    hours, blocks, duration, interval, buffer_before, buffer_after, zone
):
    tenant = make_tenant(f"busy-merge-{next(_tenants)}")
    staff = make_staff(
        tenant, "Maria", timezone=zone, days=range(7), hours=[(clock(a), clock(b)) for a, b in hours]
    )
    service = make_service(
        tenant,
        staff,
        duration_minutes=duration,
        slot_interval_minutes=interval,
        buffer_before_minutes=buffer_before,
        buffer_after_minutes=buffer_after,
    )
    link = CalendarConnection.objects.create(tenant=tenant, staff=staff, provider="google")
    busy.connections_changed(link)
    made = [
        busy.Block("primary", f"e{n}", BASE + timedelta(minutes=at), BASE + timedelta(minutes=at + length))
        for n, (at, length) in enumerate(blocks)
    ]
    busy.replace_blocks(link, "primary", made)
    rules = rules_for(service)

    merged = load_calendars(service, [staff], WINDOW)[staff.pk]
    raw = Calendar(
        zone=merged.zone,
        weekly_hours=merged.weekly_hours,
        time_off=merged.time_off,
        appointments=[*merged.appointments, *as_appointments(blocks_read_raw(staff.pk))],
    )

    assert len(merged.busy) <= len(made)
    assert list(merged.busy) == sorted(merged.busy)
    assert all(one.end < after.start for one, after in itertools.pairwise(merged.busy))
    expected = free_slots_of_staff(rules, {staff.pk: raw}, WINDOW, NOW)
    assert find_slots_by_staff_id(service, [staff], WINDOW, NOW) == expected
    for step in range(0, 3 * 24 * 60, 15):
        start = BASE + timedelta(minutes=step)
        assert check_start(rules, merged, start, NOW) == check_start(rules, raw, start, NOW), start


@pytest.mark.django_db
def test_the_busy_read_merges_overlapping_and_touching_blocks_of_each_staff_member():
    tenant = make_tenant("busy-merge-read")
    maria, jonas = make_staff(tenant, "Maria"), make_staff(tenant, "Jonas")
    at = {hour: BASE + timedelta(hours=hour) for hour in range(30)}
    for member, spans in {
        # A day-long event swallowing a meeting and one running past its end, one touching that, one apart.
        maria: [(0, 24), (9, 10), (23, 25), (25, 26), (28, 29)],
        jonas: [(9, 10), (9, 10)],  # the same time twice (two calendars, say)
    }.items():
        link = CalendarConnection.objects.create(tenant=tenant, staff=member, provider="google")
        made = [busy.Block("primary", f"e{n}", at[a], at[b]) for n, (a, b) in enumerate(spans)]
        busy.replace_blocks(link, "primary", made)

    found = busy.busy_of_staff(tenant.pk, [maria.pk, jonas.pk], Interval(at[0], at[29]))

    assert found == {
        maria.pk: [Interval(at[0], at[26]), Interval(at[28], at[29])],
        jonas.pk: [Interval(at[9], at[10])],
    }
