"""What a calendar read sees: every appointment and time off that can touch a slot of the window, however far
its own start lies outside it (the reads are bounded by the slots' span and buffers, not by whole days)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rendez.scheduling.availability import Interval
from rendez.scheduling.calendars import find_slots
from rendez.scheduling.models import TimeOff
from rendez.scheduling.services import BookingError
from rendez.scheduling.tests.factories import book, make_service, utc
from rendez.scheduling.tests.fixtures import NOW

TUESDAY = Interval(utc(2026, 6, 1, 22), utc(2026, 6, 2, 22))  # Tuesday 2 June in Berlin
MONDAY_FOUR_PM = utc(2026, 6, 1, 14)
TUESDAY_NINE, TUESDAY_TEN, TUESDAY_ELEVEN = utc(2026, 6, 2, 7), utc(2026, 6, 2, 8), utc(2026, 6, 2, 9)


def first_start(service, dora):
    return find_slots(service, [dora], TUESDAY, NOW)[0][1].start


def test_a_buffer_from_the_day_before_still_blocks_the_morning(alice, consultation, dora):
    # Monday 16:00-16:30 in Berlin, kept busy 18 hours after: until Tuesday 10:30.
    overnight = make_service(alice, dora, name="Overnight prep", buffer_after_minutes=18 * 60)
    book(overnight, dora, MONDAY_FOUR_PM, now=NOW)

    assert first_start(consultation, dora) == TUESDAY_TEN + timedelta(minutes=30)
    with pytest.raises(BookingError) as refused:
        book(consultation, dora, TUESDAY_TEN, now=NOW)
    assert refused.value.code == "conflict"


def test_time_off_begun_the_day_before_still_removes_the_morning(consultation, dora):
    TimeOff.objects.create(staff=dora, start=MONDAY_FOUR_PM, end=TUESDAY_ELEVEN)

    assert first_start(consultation, dora) == TUESDAY_ELEVEN
    with pytest.raises(BookingError) as refused:
        book(consultation, dora, TUESDAY_TEN, now=NOW)
    assert refused.value.code == "time_off"


def test_a_booking_sees_the_appointment_its_own_buffer_reaches(alice, consultation, dora):
    consultation.buffer_after_minutes = 60
    consultation.save()
    other = make_service(alice, dora, name="Check-up")
    book(other, dora, TUESDAY_ELEVEN, now=NOW)

    with pytest.raises(BookingError) as refused:
        book(consultation, dora, TUESDAY_TEN, now=NOW)  # busy until 11:30 with its buffer
    assert refused.value.code == "conflict"
    assert book(consultation, dora, TUESDAY_NINE, now=NOW).appointment.start == TUESDAY_NINE


def test_a_booking_sees_the_appointment_whose_buffer_reaches_it(alice, consultation, dora):
    other = make_service(alice, dora, name="Check-up", buffer_before_minutes=90)
    book(other, dora, TUESDAY_ELEVEN, now=NOW)  # busy from 09:30

    with pytest.raises(BookingError) as refused:
        book(consultation, dora, TUESDAY_TEN - timedelta(minutes=30), now=NOW)
    assert refused.value.code == "conflict"
    assert book(consultation, dora, TUESDAY_NINE, now=NOW).appointment.start == TUESDAY_NINE
