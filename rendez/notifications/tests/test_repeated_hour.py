"""When Berlin's clocks go back, 02:30 happens twice: at 00:30 UTC (CEST) and again at 01:30 UTC (CET). An
appointment at either names its offset in messages, and its invitation is written in UTC, which every
calendar reads as the one instant meant (a local 02:30 with a TZID is read as the first). Other times keep
the recipient's zone. The invitations are parsed by `ical`, another library than the one that wrote them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from ical.calendar_stream import IcsCalendarStream
from ical.event import Event

from rendez.notifications import ics
from rendez.notifications.localtime import time_label
from rendez.notifications.tests.fixtures import book, invitation_of, plain_text, run_jobs, workflow

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def next_fall_back(zone: ZoneInfo = BERLIN) -> date:
    """The next day, at least a week ahead, on which `zone`'s clocks go back."""
    day = timezone.now().date() + timedelta(days=7)
    for _ in range(400):
        midnight = datetime.combine(day, time(0), tzinfo=UTC)
        if offset(midnight, zone) > offset(midnight + timedelta(hours=4), zone):
            return day
        day += timedelta(days=1)
    raise AssertionError("no fall-back day within 400 days")


def offset(instant: datetime, zone: ZoneInfo) -> timedelta:
    return instant.astimezone(zone).utcoffset() or timedelta(0)


@pytest.fixture
def fall_back() -> date:
    return next_fall_back()


@pytest.fixture
def far_service(service):
    service.horizon_days = 730
    service.save(update_fields=["horizon_days"])
    return service


def second_half_past_two(day: date) -> datetime:
    """02:30 CET, the second 02:30 of the fall-back day in Berlin."""
    return datetime.combine(day, time(1, 30), tzinfo=UTC)


def first_half_past_two(day: date) -> datetime:
    """02:30 CEST, the first one."""
    return datetime.combine(day, time(0, 30), tzinfo=UTC)


def test_the_labels_tell_the_two_half_past_twos_apart(fall_back):
    first = first_half_past_two(fall_back).astimezone(BERLIN)
    second = second_half_past_two(fall_back).astimezone(BERLIN)

    assert (first.fold, second.fold) == (0, 1)
    assert time_label(first) == "02:30 CEST (UTC+02:00)"
    assert time_label(second) == "02:30 CET (UTC+01:00)"
    assert time_label(second + timedelta(minutes=30)) == "03:00"  # after the repeated hour: once only
    assert time_label(first - timedelta(hours=1)) == "01:30"


def test_a_zone_without_lettered_abbreviations_shows_the_offset_alone():
    """Santiago's clocks go back from 00:00 to 23:00; its abbreviations are numbers ("-03", "-04")."""
    santiago = ZoneInfo("America/Santiago")
    day = next_fall_back(santiago)
    second = datetime.combine(day, time(3, 30), tzinfo=UTC).astimezone(santiago)

    assert second.fold == 1
    assert time_label(second) == "23:30 (UTC-04:00)"


def test_the_message_and_invitation_of_the_second_half_past_two(smtp_server, tenant, far_service, fall_back):
    workflow(
        tenant,
        attach_invitation=True,
        body_template="{appointment_date}, {appointment_start_time}–{appointment_end_time} "
        "({appointment_timezone})",
    )
    start = second_half_past_two(fall_back)
    booking = book(far_service, start, timezone="Europe/Berlin")

    run_jobs()

    [message] = smtp_server.to("carla@example.com")
    local = start.astimezone(BERLIN)
    assert plain_text(message).startswith(
        f"{local:%A, %d %B %Y}, 02:30 CET (UTC+01:00)–03:00 (Europe/Berlin)"
    )
    calendar, part = invitation_of(message)
    [event] = calendar.events
    assert event.dtstart == start == booking.appointment.start
    assert event.dtstart.utcoffset() == timedelta(0)
    assert event.dtend == start + timedelta(minutes=30)
    raw = part.get_content()
    raw = raw.decode() if isinstance(raw, bytes) else raw
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in raw
    assert f"DTEND:{start + timedelta(minutes=30):%Y%m%dT%H%M%S}Z" in raw
    assert "TZID" not in raw and "VTIMEZONE" not in raw  # nothing local left to explain


def test_the_first_half_past_two_is_written_in_utc_too(smtp_server, tenant, far_service, fall_back):
    """RFC 5545 would read a local 02:30 as this one, but calendars differ; UTC leaves nothing to read."""
    workflow(tenant, attach_invitation=True, body_template="{appointment_start_time}")
    start = first_half_past_two(fall_back)
    book(far_service, start, timezone="Europe/Berlin")

    run_jobs()

    [message] = smtp_server.to("carla@example.com")
    assert plain_text(message).startswith("02:30 CEST (UTC+02:00)")
    calendar, _ = invitation_of(message)
    [event] = calendar.events
    assert event.dtstart == start and event.dtstart.utcoffset() == timedelta(0)


def invitation_in(booking, zone: ZoneInfo) -> tuple[str, Event]:
    raw, _ = ics.build_invitation(booking, zone)
    [event] = IcsCalendarStream.calendar_from_ics(raw.decode()).events
    return raw.decode(), event


def test_times_that_happen_once_keep_the_recipients_zone(tenant, far_service, fall_back):
    """The same appointment, for Sam in New York (21:30 the evening before, no change there), keeps a
    local time with its VTIMEZONE; so does an appointment an hour after the change in Berlin."""
    booking = book(far_service, second_half_past_two(fall_back), timezone="Europe/Berlin")

    raw, event = invitation_in(booking, NEW_YORK)

    assert "DTSTART;TZID=America/New_York:" in raw and "BEGIN:VTIMEZONE" in raw
    assert event.dtstart == booking.appointment.start

    later = book(far_service, second_half_past_two(fall_back) + timedelta(hours=1), email="dan@example.com")
    raw, event = invitation_in(later, BERLIN)
    assert "DTSTART;TZID=Europe/Berlin:" in raw and "DTEND;TZID=Europe/Berlin:" in raw
    assert event.dtstart == later.appointment.start
