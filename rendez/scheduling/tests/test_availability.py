"""The pure slot rules: no database, calendars built by hand."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rendez.scheduling.availability import (
    BusyAppointment,
    Calendar,
    Interval,
    Refusal,
    Slot,
    SlotRules,
    check_start,
    free_slots,
    free_slots_of_staff,
    local_to_utc,
    working_intervals,
)
from rendez.scheduling.tests.factories import utc

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)
EVERY_DAY_NINE_TO_FIVE = {day: [(time(9), time(17))] for day in range(7)}


def calendar(zone=BERLIN, hours=None, time_off=(), appointments=()) -> Calendar:
    return Calendar(
        zone=zone,
        weekly_hours=EVERY_DAY_NINE_TO_FIVE if hours is None else hours,
        time_off=list(time_off),
        appointments=list(appointments),
    )


def rules(minutes=60, **kwargs) -> SlotRules:
    kwargs.setdefault("interval", timedelta(minutes=minutes))
    return SlotRules(duration=timedelta(minutes=minutes), **kwargs)


def day_window(day: date, zone=UTC) -> Interval:
    start = datetime.combine(day, time.min, tzinfo=zone)
    return Interval(start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone))


def starts(slots: list[Slot], zone=UTC) -> list[str]:
    return [slot.start.astimezone(zone).strftime("%H:%M") for slot in slots]


def busy(
    start: datetime, minutes=60, *, before=0, after=0, seats=1, capacity=1, joinable=False
) -> BusyAppointment:
    end = start + timedelta(minutes=minutes)
    block = Interval(start - timedelta(minutes=before), end + timedelta(minutes=after))
    return BusyAppointment(start, end, block, seats, capacity, joinable)


def offered(slot_rules: SlotRules, cal: Calendar, window: Interval) -> list[Slot]:
    """Slots in `window` as seen a week before it, well inside the horizon and the notice."""
    return free_slots(slot_rules, cal, window, now=window.start - timedelta(days=7))


# --- daylight saving ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "before", "after", "utc_before", "utc_after"),
    [
        # Berlin springs forward on Sunday 2026-03-29 (+01:00 -> +02:00) and falls back on 2026-10-25.
        (BERLIN, date(2026, 3, 27), date(2026, 3, 30), "08:00", "07:00"),
        (BERLIN, date(2026, 10, 23), date(2026, 10, 26), "07:00", "08:00"),
        # New York springs forward on 2026-03-08 (-05:00 -> -04:00) and falls back on 2026-11-01.
        (NEW_YORK, date(2026, 3, 6), date(2026, 3, 9), "14:00", "13:00"),
        (NEW_YORK, date(2026, 10, 30), date(2026, 11, 2), "13:00", "14:00"),
    ],
)
def test_working_hours_keep_their_local_time_across_a_clock_change(
    zone, before, after, utc_before, utc_after
):
    cal = calendar(zone)
    for day, expected_utc_start in ((before, utc_before), (after, utc_after)):
        slots = offered(rules(), cal, day_window(day, zone))
        assert starts(slots, zone) == ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]
        assert starts(slots)[0] == expected_utc_start
        assert slots[-1].end.astimezone(zone).time() == time(17)


@pytest.mark.parametrize(
    ("zone", "sunday"),
    [(BERLIN, date(2026, 3, 29)), (BERLIN, date(2026, 10, 25)), (NEW_YORK, date(2026, 3, 8))],
)
def test_the_day_of_the_change_itself_keeps_nine_to_five(zone, sunday):
    slots = offered(rules(), calendar(zone), day_window(sunday, zone))
    assert starts(slots, zone) == ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]


def test_a_working_interval_across_the_spring_forward_gap_is_two_real_hours_long():
    # 01:00-04:00 on 2026-03-29 in Berlin: 02:00-03:00 never happens, so 00:00Z-02:00Z.
    cal = calendar(hours={6: [(time(1), time(4))]})
    slots = offered(rules(), cal, day_window(date(2026, 3, 29), BERLIN))
    assert starts(slots) == ["00:00", "01:00"]
    assert starts(slots, BERLIN) == ["01:00", "03:00"]


def test_a_working_interval_across_the_fall_back_hour_is_four_real_hours_long():
    cal = calendar(hours={6: [(time(1), time(4))]})
    slots = offered(rules(), cal, day_window(date(2026, 10, 25), BERLIN))
    assert starts(slots) == ["23:00", "00:00", "01:00", "02:00"]
    assert starts(slots, BERLIN) == ["01:00", "02:00", "02:00", "03:00"]


def test_a_wall_time_inside_the_gap_moves_forward_as_clocks_do():
    assert local_to_utc(date(2026, 3, 29), time(2, 30), BERLIN) == utc(2026, 3, 29, 1, 30)
    assert local_to_utc(date(2026, 3, 8), time(2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 30)


def test_working_hours_starting_in_the_gap_start_at_the_first_real_instant_after_it():
    cal = calendar(hours={6: [(time(2, 30), time(5))]})
    intervals = working_intervals(cal, day_window(date(2026, 3, 29), BERLIN))
    assert intervals == [Interval(utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 3))]


# --- shape of the day ---------------------------------------------------------------------------------------


def test_a_lunch_break_splits_the_day_into_two_intervals():
    hours = {1: [(time(9), time(12)), (time(13), time(17))]}
    slots = offered(rules(), calendar(hours=hours), day_window(date(2026, 6, 2), BERLIN))
    assert starts(slots, BERLIN) == ["09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00"]


def test_slots_follow_the_interval_not_the_duration():
    hours = {1: [(time(9), time(11))]}
    slot_rules = rules(60, interval=timedelta(minutes=30))
    slots = offered(slot_rules, calendar(hours=hours), day_window(date(2026, 6, 2), BERLIN))
    assert starts(slots, BERLIN) == ["09:00", "09:30", "10:00"]
    assert all(slot.end - slot.start == HOUR for slot in slots)


def test_an_interval_longer_than_the_duration_leaves_gaps():
    hours = {1: [(time(9), time(12))]}
    slot_rules = rules(30, interval=timedelta(minutes=90))
    slots = offered(slot_rules, calendar(hours=hours), day_window(date(2026, 6, 2), BERLIN))
    assert starts(slots, BERLIN) == ["09:00", "10:30"]


def test_overlapping_working_hours_offer_each_start_once():
    cal = calendar(hours={1: [(time(9), time(12)), (time(11), time(13))]})
    slots = offered(rules(), cal, day_window(date(2026, 6, 2), BERLIN))
    assert starts(slots, BERLIN) == ["09:00", "10:00", "11:00", "12:00"]


def test_a_day_without_working_hours_has_no_slots():
    cal = calendar(hours={0: [(time(9), time(17))]})
    assert offered(rules(), cal, day_window(date(2026, 6, 2), BERLIN)) == []


def test_only_slots_starting_inside_the_window_are_offered():
    window = Interval(utc(2026, 6, 2, 9), utc(2026, 6, 2, 11))  # 11:00-13:00 Berlin
    slots = offered(rules(), calendar(), window)
    assert starts(slots, BERLIN) == ["11:00", "12:00"]


# --- buffers, time off, other appointments ------------------------------------------------------------------


def test_an_appointment_blocks_the_slots_it_overlaps():
    tuesday_ten = utc(2026, 6, 2, 8)  # 10:00 Berlin
    cal = calendar(hours={1: [(time(9), time(13))]}, appointments=[busy(tuesday_ten, 30)])
    slots = offered(rules(), cal, day_window(date(2026, 6, 2), BERLIN))
    assert starts(slots, BERLIN) == ["09:00", "11:00", "12:00"]


def test_the_new_slots_buffers_must_not_touch_another_appointment():
    # 30-minute slots every 30 minutes with 15 minutes after: 09:30 would run into the 10:00 appointment's
    # start.
    cal = calendar(hours={1: [(time(9), time(12))]}, appointments=[busy(utc(2026, 6, 2, 8), 30)])
    slot_rules = rules(30, buffer_after=timedelta(minutes=15))
    slots = offered(slot_rules, cal, day_window(date(2026, 6, 2), BERLIN))
    assert starts(slots, BERLIN) == ["09:00", "10:30", "11:00", "11:30"]


def test_another_appointments_buffer_blocks_the_slots_it_reaches():
    # The 10:00-10:30 appointment keeps Dora busy 09:45-11:00 because of its own buffers.
    appointment = busy(utc(2026, 6, 2, 8), 30, before=15, after=30)
    cal = calendar(hours={1: [(time(9), time(12))]}, appointments=[appointment])
    slots = offered(rules(30), cal, day_window(date(2026, 6, 2), BERLIN))
    assert starts(slots, BERLIN) == ["09:00", "11:00", "11:30"]


def test_buffers_may_reach_outside_working_hours():
    slot_rules = rules(60, buffer_before=timedelta(minutes=30), buffer_after=timedelta(minutes=30))
    slots = offered(
        slot_rules, calendar(hours={1: [(time(9), time(11))]}), day_window(date(2026, 6, 2), BERLIN)
    )
    assert starts(slots, BERLIN) == ["09:00", "10:00"]


def test_time_off_removes_the_slots_it_overlaps():
    away = Interval(utc(2026, 6, 2, 8, 30), utc(2026, 6, 2, 10))  # 10:30-12:00 Berlin
    cal = calendar(hours={1: [(time(9), time(13))]}, time_off=[away])
    slots = offered(rules(), cal, day_window(date(2026, 6, 2), BERLIN))
    assert starts(slots, BERLIN) == ["09:00", "12:00"]


def test_time_off_does_not_care_about_buffers():
    away = Interval(utc(2026, 6, 2, 8), utc(2026, 6, 2, 9))  # 10:00-11:00 Berlin
    slot_rules = rules(60, buffer_before=timedelta(minutes=30), buffer_after=timedelta(minutes=30))
    cal = calendar(hours={1: [(time(9), time(12))]}, time_off=[away])
    slots = offered(slot_rules, cal, day_window(date(2026, 6, 2), BERLIN))
    assert starts(slots, BERLIN) == ["09:00", "11:00"]


# --- notice and horizon -------------------------------------------------------------------------------------


def test_minimum_notice_hides_slots_starting_too_soon():
    now = utc(2026, 6, 2, 7, 10)  # 09:10 Berlin
    slots = free_slots(
        rules(min_notice=timedelta(hours=2)), calendar(), day_window(date(2026, 6, 2), BERLIN), now
    )
    assert starts(slots, BERLIN)[0] == "12:00"


def test_slots_already_begun_are_not_offered():
    now = utc(2026, 6, 2, 7, 10)
    slots = free_slots(rules(), calendar(), day_window(date(2026, 6, 2), BERLIN), now)
    assert starts(slots, BERLIN)[0] == "10:00"


def test_the_horizon_hides_slots_too_far_ahead():
    now = utc(2026, 6, 1, 8)  # Monday 10:00 Berlin
    window = Interval(utc(2026, 6, 1), utc(2026, 6, 5))
    slots = free_slots(rules(horizon=timedelta(days=1)), calendar(), window, now)
    assert starts(slots, BERLIN)[-1] == "10:00"
    assert slots[-1].start == utc(2026, 6, 2, 8)


# --- group sessions -----------------------------------------------------------------------------------------


def test_an_open_group_session_is_offered_with_the_seats_it_has_left():
    session = busy(utc(2026, 6, 2, 8), seats=3, capacity=5, joinable=True)
    cal = calendar(hours={1: [(time(9), time(12))]}, appointments=[session])
    slots = offered(rules(capacity=5), cal, day_window(date(2026, 6, 2), BERLIN))
    assert [(s, slot.seats_left) for s, slot in zip(starts(slots, BERLIN), slots, strict=True)] == [
        ("09:00", 5),
        ("10:00", 2),
        ("11:00", 5),
    ]


def test_a_full_group_session_is_not_offered():
    session = busy(utc(2026, 6, 2, 8), seats=5, capacity=5, joinable=True)
    cal = calendar(hours={1: [(time(9), time(12))]}, appointments=[session])
    slots = offered(rules(capacity=5), cal, day_window(date(2026, 6, 2), BERLIN))
    assert starts(slots, BERLIN) == ["09:00", "11:00"]


def test_a_group_session_of_another_service_blocks_like_any_appointment():
    other = busy(utc(2026, 6, 2, 8), seats=1, capacity=5, joinable=False)
    cal = calendar(hours={1: [(time(9), time(12))]}, appointments=[other])
    slots = offered(rules(capacity=5), cal, day_window(date(2026, 6, 2), BERLIN))
    assert starts(slots, BERLIN) == ["09:00", "11:00"]


# --- several staff in one pass ------------------------------------------------------------------------------


def test_the_slots_of_several_calendars_come_by_start_then_in_the_order_given():
    early = calendar(hours={1: [(time(9), time(11))]})
    late = calendar(hours={1: [(time(10), time(12))]})
    found = free_slots_of_staff(
        rules(), {"late": late, "early": early}, day_window(date(2026, 6, 2), BERLIN), utc(2026, 5, 20)
    )
    assert [(key, slot.start.astimezone(BERLIN).strftime("%H:%M")) for key, slot in found] == [
        ("early", "09:00"),
        ("late", "10:00"),
        ("early", "10:00"),
        ("late", "11:00"),
    ]


def test_calendars_with_the_same_hours_keep_their_own_appointments_and_time_off():
    tuesday_ten = utc(2026, 6, 2, 8)  # 10:00 Berlin
    hours = {1: [(time(9), time(12))]}
    booked = calendar(hours=hours, appointments=[busy(tuesday_ten)])
    away = calendar(hours=hours, time_off=[Interval(tuesday_ten + HOUR, tuesday_ten + 2 * HOUR)])
    free = calendar(hours=hours)
    found = free_slots_of_staff(
        rules(),
        {"booked": booked, "away": away, "free": free},
        day_window(date(2026, 6, 2), BERLIN),
        utc(2026, 5, 20),
    )
    by_key = {
        key: starts([slot for k, slot in found if k == key], BERLIN) for key in ("booked", "away", "free")
    }
    assert by_key == {
        "booked": ["09:00", "11:00"],
        "away": ["09:00", "10:00"],
        "free": ["09:00", "10:00", "11:00"],
    }


def test_each_calendar_works_its_own_hours_in_its_own_zone():
    nine_to_ten = {1: [(time(9), time(10))]}
    found = free_slots_of_staff(
        rules(),
        {"berlin": calendar(hours=nine_to_ten), "new_york": calendar(zone=NEW_YORK, hours=nine_to_ten)},
        day_window(date(2026, 6, 2), UTC),
        utc(2026, 5, 20),
    )
    assert [(key, slot.start) for key, slot in found] == [
        ("berlin", utc(2026, 6, 2, 7)),
        ("new_york", utc(2026, 6, 2, 13)),
    ]


def test_a_group_session_is_offered_only_with_the_staff_member_giving_it():
    hours = {1: [(time(9), time(11))]}
    session = busy(utc(2026, 6, 2, 7, 30), seats=2, capacity=5, joinable=True)  # 09:30 Berlin, off the grid
    found = free_slots_of_staff(
        rules(capacity=5),
        {"teacher": calendar(hours=hours, appointments=[session]), "other": calendar(hours=hours)},
        day_window(date(2026, 6, 2), BERLIN),
        utc(2026, 5, 20),
    )
    assert [
        (key, slot.start.astimezone(BERLIN).strftime("%H:%M"), slot.seats_left) for key, slot in found
    ] == [
        ("other", "09:00", 5),
        ("teacher", "09:30", 3),
        ("other", "10:00", 5),
    ]


# --- check_start: the precise refusal -----------------------------------------------------------------------

TUESDAY_TEN = utc(2026, 6, 2, 8)
MONDAY_MORNING = utc(2026, 6, 1, 6)


@pytest.mark.parametrize(
    ("start", "slot_rules", "cal", "party", "code"),
    [
        (utc(2026, 5, 29, 8), rules(), calendar(), 1, "in_past"),
        (utc(2026, 6, 1, 7), rules(min_notice=timedelta(hours=2)), calendar(), 1, "too_soon"),
        (utc(2026, 9, 1, 8), rules(), calendar(), 1, "too_far"),
        (TUESDAY_TEN, rules(capacity=5), calendar(), 6, "party_too_large"),
        (utc(2026, 6, 2, 5), rules(), calendar(), 1, "outside_working_hours"),
        (utc(2026, 6, 2, 14, 30), rules(), calendar(), 1, "outside_working_hours"),
        (TUESDAY_TEN + timedelta(minutes=15), rules(), calendar(), 1, "not_a_slot"),
        (TUESDAY_TEN, rules(), calendar(time_off=[Interval(TUESDAY_TEN, TUESDAY_TEN + HOUR)]), 1, "time_off"),
        (TUESDAY_TEN, rules(), calendar(appointments=[busy(TUESDAY_TEN)]), 1, "conflict"),
        (TUESDAY_TEN, rules(), calendar(appointments=[busy(TUESDAY_TEN - HOUR, after=15)]), 1, "conflict"),
        (
            TUESDAY_TEN,
            rules(capacity=5),
            calendar(appointments=[busy(TUESDAY_TEN, seats=4, capacity=5, joinable=True)]),
            2,
            "full",
        ),
    ],
)
def test_check_start_names_the_reason_a_start_is_refused(start, slot_rules, cal, party, code):
    verdict = check_start(slot_rules, cal, start, MONDAY_MORNING, party)
    assert isinstance(verdict, Refusal)
    assert verdict.code == code


def test_check_start_accepts_a_free_start():
    assert check_start(rules(), calendar(), TUESDAY_TEN, MONDAY_MORNING) == Slot(
        TUESDAY_TEN, TUESDAY_TEN + HOUR, 1
    )


def test_check_start_lets_a_party_join_an_open_session_off_the_grid():
    session = busy(TUESDAY_TEN + timedelta(minutes=15), seats=2, capacity=5, joinable=True)
    verdict = check_start(
        rules(capacity=5), calendar(appointments=[session]), session.start, MONDAY_MORNING, 3
    )
    assert verdict == Slot(session.start, session.end, 3)


def test_calendar_refusals_are_conflicts_and_request_refusals_are_not():
    assert Refusal("conflict", "").is_conflict
    assert Refusal("full", "").is_conflict
    assert Refusal("time_off", "").is_conflict
    assert not Refusal("too_soon", "").is_conflict
    assert not Refusal("not_a_slot", "").is_conflict


# --- the listing and the single check agree --------------------------------------------------------------


def random_calendar(rng: random.Random, monday: datetime) -> Calendar:
    """A busy Berlin week: split shifts, appointments with buffers (some open group sessions), time off."""
    hours = {
        day: [(time(rng.choice([7, 8, 9])), time(12)), (time(13), time(rng.choice([16, 17, 20])))]
        for day in range(6)
    }
    appointments = []
    for _ in range(rng.randint(0, 25)):
        start = monday + timedelta(
            days=rng.randint(0, 6), hours=rng.randint(6, 19), minutes=rng.choice([0, 10, 15, 30])
        )
        joinable = rng.random() < 0.3
        seats = rng.randint(1, 4) if joinable else 1
        appointments.append(
            busy(
                start,
                rng.choice([20, 30, 60]),
                before=rng.choice([0, 15]),
                after=rng.choice([0, 10]),
                seats=seats,
                capacity=4 if joinable else 1,
                joinable=joinable,
            )
        )
    time_off = []
    for _ in range(rng.randint(0, 3)):
        start = monday + timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 20))
        time_off.append(Interval(start, start + timedelta(minutes=rng.choice([45, 120, 600]))))
    return calendar(hours=hours, time_off=time_off, appointments=appointments)


@pytest.mark.parametrize("seed", range(25))
def test_the_listed_slots_are_exactly_the_starts_check_start_accepts(seed):
    """The listing works on a shared grid, booking checks one start under the lock: a slot offered and then
    refused, or refused yet bookable, would be a bug whichever side it is on."""
    rng = random.Random(seed)
    # The week Berlin springs forward (Sunday 29 March 2026), seen from its Monday morning.
    monday = utc(2026, 3, 23)
    slot_rules = SlotRules(
        duration=timedelta(minutes=rng.choice([30, 45, 60])),
        interval=timedelta(minutes=rng.choice([15, 30, 60])),
        buffer_before=timedelta(minutes=rng.choice([0, 10])),
        buffer_after=timedelta(minutes=rng.choice([0, 15])),
        capacity=4,
        min_notice=timedelta(hours=rng.choice([0, 30])),
        horizon=timedelta(days=rng.choice([3, 60])),
    )
    cal = random_calendar(rng, monday)
    now = monday + timedelta(hours=rng.choice([0, 9]))
    window = Interval(monday, monday + timedelta(days=7))

    listed = free_slots(slot_rules, cal, window, now)
    candidates = {start for work in working_intervals(cal, window) for start in on_the_grid(work, slot_rules)}
    candidates |= {appointment.start for appointment in cal.appointments if appointment.joinable}
    accepted = [
        check_start(slot_rules, cal, start, now)
        for start in sorted(candidates)
        if window.start <= start < window.end
    ]
    assert listed == [verdict for verdict in accepted if isinstance(verdict, Slot)]


def on_the_grid(work: Interval, slot_rules: SlotRules):
    start = work.start
    while start + slot_rules.duration <= work.end:
        yield start
        start += slot_rules.interval
