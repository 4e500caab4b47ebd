"""One invitation for a series action: one VCALENDAR, one VEVENT per occurrence, each with the UID it has
alone. Read back by `icalendar` (round trip) and by `ical` (another parser), and checked against the RFC 5545
rules Google Calendar, Outlook and Apple Calendar rely on (docs/notifications.md, "Series invitations")."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from rendez.notifications import ics
from rendez.notifications.moments import moment_now
from rendez.notifications.tests.fixtures import run_jobs
from rendez.scheduling import services
from rendez.scheduling.models import Booking
from rendez.scheduling.series import Repeat
from rendez.scheduling.tests.factories import customer, make_service, make_staff, make_tenant

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def weekly_series() -> list[Booking]:
    studio = make_tenant("lotus", name="Lotus Yoga")
    teacher = make_staff(studio, "Ines")
    classes = make_service(
        studio, teacher, name="Hatha", duration_minutes=60, series_allowed=True, horizon_days=90
    )
    today = timezone.now().astimezone(BERLIN).date()
    first = datetime.combine(today + timedelta(days=7 - today.weekday(), weeks=1), time(10), tzinfo=BERLIN)
    return services.book_series(
        tenant_id=studio.pk,
        service_id=classes.pk,
        staff_id=teacher.pk,
        start=first,
        customer=customer("Charlie"),
        repeat=Repeat("weekly", count=3),
    ).bookings


def invitation(bookings: list[Booking]) -> tuple[bytes, str]:
    fresh = [
        Booking.objects.select_related("appointment__service", "appointment__staff").get(pk=b.pk)
        for b in bookings
    ]
    return ics.build_series_invitation([(b, moment_now(b)) for b in fresh], BERLIN)


def test_one_calendar_holds_one_event_per_occurrence_with_its_own_uid(weekly_series):
    raw, method = invitation(weekly_series)

    calendar = Calendar.from_ical(raw)
    events = calendar.walk("VEVENT")
    assert method == "REQUEST" and str(calendar["METHOD"]) == "REQUEST"
    assert [str(event["UID"]) for event in events] == [ics.uid_for(b) for b in weekly_series]
    assert [event.decoded("DTSTART") for event in events] == [b.appointment.start for b in weekly_series]
    # Each occurrence is an event of its own: nothing for a calendar to expand or to match an instance with.
    assert all("RRULE" not in event and "RECURRENCE-ID" not in event for event in events)
    assert calendar.to_ical() == raw  # icalendar reads and writes it back byte for byte


def test_another_parser_reads_every_event(weekly_series):
    raw, _ = invitation(weekly_series)

    parsed = IcsCalendarStream.calendar_from_ics(raw.decode())

    assert [event.uid for event in parsed.events] == [ics.uid_for(b) for b in weekly_series]
    assert [event.dtstart for event in parsed.events] == [b.appointment.start for b in weekly_series]


def test_the_rfc_5545_rules_calendars_rely_on(weekly_series):
    raw, _ = invitation(weekly_series)
    calendar = Calendar.from_ical(raw)

    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")  # 3.1: CRLF line breaks
    assert max(len(line) for line in lines) <= 75  # 3.1: lines folded at 75 octets
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]  # 3.7.3, 3.7.4: required once
    zones = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}
    for event in calendar.walk("VEVENT"):
        assert event["DTSTAMP"] and event["UID"]  # 3.6.1: required in every VEVENT
        assert event["DTSTART"].params["TZID"] in zones  # 3.2.19: every TZID has its VTIMEZONE
        assert event["ORGANIZER"] and event["ATTENDEE"]  # RFC 5546 3.2.2: a REQUEST names both
        assert int(str(event["SEQUENCE"])) >= 0


def test_cancelling_the_rest_is_one_cancel_of_exactly_those_events(weekly_series):
    services.cancel_series(weekly_series[0].series, from_booking=weekly_series[1])
    while run_jobs():  # the events record the change (and its SEQUENCE) as the messages will show it
        pass

    raw, method = invitation(weekly_series[1:])

    calendar = Calendar.from_ical(raw)
    assert method == "CANCEL" and str(calendar["METHOD"]) == "CANCEL"
    assert [str(e["STATUS"]) for e in calendar.walk("VEVENT")] == ["CANCELLED", "CANCELLED"]
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [ics.uid_for(b) for b in weekly_series[1:]]
    # A cancellation is newer than the request the calendar holds (RFC 5546 2.1.4).
    assert all(int(str(e["SEQUENCE"])) >= 1 for e in calendar.walk("VEVENT"))


def test_the_confirmation_pages_calendar_file_holds_every_date_still_booked(weekly_series):
    services.cancel_booking(weekly_series[1])
    first = weekly_series[0]

    response = Client().get(f"/book/lotus/done/{first.manage_token}/booking.ics")

    calendar = Calendar.from_ical(response.content)
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [ics.uid_for(weekly_series[n]) for n in (0, 2)]


def test_a_series_action_is_one_webhook_listing_every_occurrence(fake_vendor):
    from rendez.notifications.models import ChannelConfig
    from rendez.notifications.tests.fixtures import workflow

    studio = make_tenant("lotus", name="Lotus Yoga")
    teacher = make_staff(studio, "Ines")
    classes = make_service(studio, teacher, name="Hatha", duration_minutes=60, series_allowed=True)
    config = ChannelConfig(tenant=studio, channel="webhook")
    config.secret = "whsec-lotus"
    config.save()
    workflow(studio, channel="webhook", to_customer=False, fixed_recipients=f"{fake_vendor.url}/hooks")
    today = timezone.now().astimezone(BERLIN).date()
    first = datetime.combine(today + timedelta(days=7 - today.weekday(), weeks=1), time(10), tzinfo=BERLIN)

    outcome = services.book_series(
        tenant_id=studio.pk,
        service_id=classes.pk,
        staff_id=teacher.pk,
        start=first,
        customer=customer("Charlie"),
        repeat=Repeat("weekly", count=3),
    )
    while run_jobs():
        pass

    [request] = fake_vendor.requests
    body = request.json
    assert body["booking"]["id"] == outcome.bookings[0].pk
    assert body["series"]["id"] == outcome.series.pk
    assert [item["booking_id"] for item in body["series"]["occurrences"]] == [b.pk for b in outcome.bookings]
