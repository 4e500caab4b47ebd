"""find_slots: availability read from the database, in a fixed number of queries."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from rendez.scheduling import services
from rendez.scheduling.availability import Interval
from rendez.scheduling.calendars import find_slots
from rendez.scheduling.models import TimeOff
from rendez.scheduling.tests.factories import book, make_service, make_staff, set_hours, utc
from rendez.scheduling.tests.fixtures import NOW

TUESDAY = Interval(utc(2026, 6, 1, 22), utc(2026, 6, 2, 22))  # Tuesday 2 June in Berlin
TUESDAY_TEN = utc(2026, 6, 2, 8)


def local_starts(found, zone="Europe/Berlin") -> list[str]:
    from zoneinfo import ZoneInfo

    return [slot.start.astimezone(ZoneInfo(zone)).strftime("%H:%M") for _, slot in found]


def seats_at(found, start) -> int | None:
    return next((slot.seats_left for _, slot in found if slot.start == start), None)


def test_it_offers_the_working_day_in_slots_of_the_service(consultation, dora):
    found = find_slots(consultation, [dora], TUESDAY, NOW)
    assert len(found) == 16
    assert local_starts(found)[:3] == ["09:00", "09:30", "10:00"]
    assert local_starts(found)[-1] == "16:30"
    assert all(member == dora for member, _ in found)


def test_group_seats_count_down_and_the_slot_disappears_when_full(yoga, dora):
    assert seats_at(find_slots(yoga, [dora], TUESDAY, NOW), TUESDAY_TEN) == 5
    book(yoga, dora, TUESDAY_TEN, "Charlie", now=NOW)
    assert seats_at(find_slots(yoga, [dora], TUESDAY, NOW), TUESDAY_TEN) == 4
    book(yoga, dora, TUESDAY_TEN, "Dave", party_size=2, now=NOW)
    assert seats_at(find_slots(yoga, [dora], TUESDAY, NOW), TUESDAY_TEN) == 2
    last = book(yoga, dora, TUESDAY_TEN, "Erin", party_size=2, now=NOW)
    assert seats_at(find_slots(yoga, [dora], TUESDAY, NOW), TUESDAY_TEN) is None
    services.cancel_booking(last, now=NOW)
    assert seats_at(find_slots(yoga, [dora], TUESDAY, NOW), TUESDAY_TEN) == 2


def test_raising_the_capacity_opens_seats_in_existing_sessions(yoga, dora):
    book(yoga, dora, TUESDAY_TEN, party_size=5, now=NOW)
    yoga.capacity = 8
    yoga.save()
    assert seats_at(find_slots(yoga, [dora], TUESDAY, NOW), TUESDAY_TEN) == 3
    book(yoga, dora, TUESDAY_TEN, "Dave", party_size=3, now=NOW)


def test_a_one_to_one_booking_blocks_its_slot_and_its_buffers(consultation, dora):
    consultation.buffer_before_minutes = 30
    consultation.save()
    book(consultation, dora, TUESDAY_TEN, now=NOW)
    starts = local_starts(find_slots(consultation, [dora], TUESDAY, NOW))
    # The 10:00 appointment keeps Dora busy 09:30-10:30; a slot's own lead-in must stay clear of that span
    # too.
    assert [start for start in starts if start < "11:30"] == ["09:00", "11:00"]


def test_another_services_appointment_blocks_the_group_slots_it_overlaps(yoga, consultation, dora):
    book(consultation, dora, TUESDAY_TEN + timedelta(minutes=30), now=NOW)
    starts = local_starts(find_slots(yoga, [dora], TUESDAY, NOW))
    assert "10:00" not in starts
    assert "11:00" in starts


def test_a_cancelled_booking_blocks_nothing(consultation, dora):
    services.cancel_booking(book(consultation, dora, TUESDAY_TEN, now=NOW), now=NOW)
    assert "10:00" in local_starts(find_slots(consultation, [dora], TUESDAY, NOW))


def test_time_off_in_the_database_removes_slots(consultation, dora):
    TimeOff.objects.create(staff=dora, start=utc(2026, 6, 2, 7), end=utc(2026, 6, 2, 12))
    assert local_starts(find_slots(consultation, [dora], TUESDAY, NOW))[0] == "14:00"


def test_minimum_notice_and_horizon_come_from_the_service(consultation, dora):
    consultation.min_notice_minutes = 26 * 60
    consultation.horizon_days = 2
    consultation.save()
    week = Interval(utc(2026, 6, 1), utc(2026, 6, 8))
    found = find_slots(consultation, [dora], week, NOW)
    assert found[0][1].start == utc(2026, 6, 2, 8)  # Monday 06:00Z + 26 h
    assert found[-1][1].start <= NOW + timedelta(days=2)


def test_slots_of_several_staff_come_in_time_order(alice, consultation, dora):
    erik = make_staff(alice, "Erik", hours=[(time(10), time(11))])
    consultation.staff.add(erik)
    found = find_slots(consultation, [erik, dora], TUESDAY, NOW)
    at_ten = [member.name for member, slot in found if slot.start == TUESDAY_TEN]
    assert at_ten == sorted(at_ten, key=lambda name: {"Dora": dora.pk, "Erik": erik.pk}[name])
    assert len(found) == 16 + 2


@pytest.mark.parametrize(
    ("zone", "friday", "monday", "friday_utc", "monday_utc"),
    [
        ("Europe/Berlin", date(2026, 3, 27), date(2026, 3, 30), 8, 7),
        ("Europe/Berlin", date(2026, 10, 23), date(2026, 10, 26), 7, 8),
        ("America/New_York", date(2026, 3, 6), date(2026, 3, 9), 14, 13),
        ("America/New_York", date(2026, 10, 30), date(2026, 11, 2), 13, 14),
    ],
)
def test_nine_to_five_stays_nine_to_five_across_the_clock_change(
    alice, zone, friday, monday, friday_utc, monday_utc
):
    member = make_staff(alice, "Hana", timezone=zone)
    service = make_service(alice, member, duration_minutes=60)
    window = Interval(
        utc(friday.year, friday.month, friday.day), utc(monday.year, monday.month, monday.day, 23)
    )
    found = find_slots(service, [member], window, now=window.start - timedelta(days=7))
    by_day: dict[date, list] = {}
    for _, slot in found:
        by_day.setdefault(slot.start.date(), []).append(slot)
    assert [slot.start.hour for slot in (by_day[friday][0], by_day[monday][0])] == [friday_utc, monday_utc]
    assert (
        local_starts(found, zone)
        == ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"] * 2
    )


def test_a_lunch_break_stored_as_two_intervals(consultation, dora):
    set_hours(dora, range(5), [(time(9), time(12)), (time(13), time(14))])
    assert local_starts(find_slots(consultation, [dora], TUESDAY, NOW)) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "13:00",
        "13:30",
    ]


def test_the_number_of_queries_does_not_grow_with_the_calendar(
    consultation, yoga, dora, django_assert_num_queries
):
    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            find_slots(consultation, [dora], Interval(NOW, NOW + timedelta(days=14)), NOW)
        return len(captured)

    empty = count_queries()
    for day in range(1, 11):
        for hour in (7, 9, 11):
            book(
                consultation, dora, utc(2026, 6, day, hour), f"Customer{day}x{hour}", now=NOW
            ) if day % 7 not in (
                6,
                0,
            ) else None
        TimeOff.objects.create(staff=dora, start=utc(2026, 6, day, 13), end=utc(2026, 6, day, 14))
    # Hours, time off, appointments, and staff's own calendars' busy blocks (scheduling/external_busy.py).
    assert count_queries() == empty == 4
