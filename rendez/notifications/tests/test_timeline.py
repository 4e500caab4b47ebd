"""Every message shows what was true at its own event, through a real SMTP server: a booking moved twice and
cancelled before any message went out gets one right message per event, for the customer and for staff;
a reassignment tells the former and the new staff member."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rendez.notifications.defaults import install_default_workflows
from rendez.notifications.models import Delivery, EventSnapshot
from rendez.notifications.tests.fixtures import NEW_YORK, book, invitation_of, plain_text, run_jobs, slot
from rendez.scheduling import services
from rendez.scheduling.models import Staff, WorkingHours

TOKYO = ZoneInfo("Asia/Tokyo")
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def smtp(smtp_server, settings):
    settings.BASE_URL = "https://rendez.test"
    return smtp_server


@pytest.fixture
def rita(tenant, service) -> Staff:
    member = Staff.objects.create(
        tenant=tenant, name="Rita Ross", email="rita@acme.test", timezone="Europe/London"
    )
    for weekday in range(7):
        WorkingHours.objects.create(staff=member, weekday=weekday, start_time=time(0), end_time=time(23, 30))
    service.staff.add(member)
    return member


def when(start: datetime, zone: ZoneInfo) -> str:
    local = start.astimezone(zone)
    end = local + timedelta(minutes=30)
    return f"{local:%A, %d %B %Y}, {local:%H:%M}–{end:%H:%M} ({zone.key})"


def test_a_booking_moved_twice_and_cancelled_gets_one_right_message_per_event(smtp, tenant, service, staff):
    install_default_workflows(tenant)
    first, second, third = slot(days=3, hour=10), slot(days=4, hour=14), slot(days=5, hour=9)
    booking = book(service, first)
    services.reschedule_booking(booking, start=second)
    services.reschedule_booking(booking, start=third)
    services.cancel_booking(booking)

    run_jobs()

    carla = smtp.to("carla@example.com")
    assert [message["Subject"] for message in carla] == [
        f"Confirmed: Therapy on {first.astimezone(TOKYO):%A, %d %B %Y}",
        f"New time: Therapy on {second.astimezone(TOKYO):%A, %d %B %Y}",
        f"New time: Therapy on {third.astimezone(TOKYO):%A, %d %B %Y}",
        f"Cancelled: Therapy on {third.astimezone(TOKYO):%A, %d %B %Y}",
    ]
    texts = [plain_text(message) for message in carla]
    assert f"is confirmed for {when(first, TOKYO)}." in texts[0]
    assert f"has moved to {when(second, TOKYO)}." in texts[1]
    assert f"has moved to {when(third, TOKYO)}." in texts[2]
    assert f"on {when(third, TOKYO)} is cancelled." in texts[3]
    calendars = [invitation_of(message)[0] for message in carla]
    assert [calendar.method for calendar in calendars] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    events = [calendar.events[0] for calendar in calendars]
    assert [event.dtstart for event in events] == [first, second, third, third]
    assert [event.sequence for event in events] == [0, 1, 2, 3]
    assert [event.status for event in events] == ["CONFIRMED", "CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert len({event.uid for event in events}) == 1

    sam = smtp.to("sam@acme.test")
    assert [message["Subject"].split(":")[0] for message in sam] == [
        "New booking",
        "Moved",
        "Moved",
        "Cancelled",
    ]
    sam_texts = [plain_text(message) for message in sam]
    assert f"booked Therapy on {when(first, NEW_YORK)}." in sam_texts[0]
    assert f"has moved to {when(second, NEW_YORK)} with Sam Staff." in sam_texts[1]
    assert f"has moved to {when(third, NEW_YORK)} with Sam Staff." in sam_texts[2]
    assert f"on {when(third, NEW_YORK)} is cancelled." in sam_texts[3]
    sam_events = [invitation_of(message)[0] for message in sam]
    assert [calendar.method for calendar in sam_events] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert {calendar.events[0].summary for calendar in sam_events} == {"Therapy with Carla Customer"}

    assert len(smtp.messages) == 8
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 8


def test_a_rerun_event_bumps_no_sequence_and_sends_nothing_twice(smtp, tenant, service):
    from rendez.jobs.claims import rerun
    from rendez.jobs.models import Job

    install_default_workflows(tenant)
    booking = book(service, slot(days=3))
    services.reschedule_booking(booking, start=slot(days=4))
    run_jobs()
    events = Job.objects.filter(kind="notifications.booking_event")
    Job.objects.filter(pk__in=events).update(state=Job.State.DEAD)
    rerun(list(events.values_list("pk", flat=True)))
    run_jobs()

    assert len(smtp.to("carla@example.com")) == 2
    assert list(EventSnapshot.objects.order_by("id").values_list("sequence", flat=True)) == [0, 1]


def test_a_reassignment_tells_the_former_and_the_new_staff_member(smtp, tenant, service, staff, rita):
    install_default_workflows(tenant)
    first, second = slot(days=3, hour=10), slot(days=3, hour=12)
    booking = book(service, first, staff=staff)
    services.reschedule_booking(booking, start=second, staff=rita)

    run_jobs()

    [confirmed, moved] = smtp.to("carla@example.com")
    assert "with Sam Staff is confirmed" in plain_text(confirmed)
    assert f"with Rita Ross has moved to {when(second, TOKYO)}" in plain_text(moved)
    assert invitation_of(moved)[0].events[0].summary == "Therapy with Rita Ross"

    [new_booking, sam_moved] = smtp.to("sam@acme.test")
    assert f"has moved to {when(second, NEW_YORK)} with Rita Ross." in plain_text(sam_moved)
    withdrawn, _ = invitation_of(sam_moved)
    assert withdrawn.method == "CANCEL"
    assert withdrawn.events[0].dtstart == first  # the slot Sam had
    assert "Start the meeting" not in plain_text(sam_moved)

    [rita_moved] = smtp.to("rita@acme.test")
    assert f"has moved to {when(second, LONDON)} with Rita Ross." in plain_text(rita_moved)
    calendar, _ = invitation_of(rita_moved)
    assert calendar.method == "REQUEST"
    assert calendar.events[0].summary == "Therapy with Carla Customer"
    assert calendar.events[0].dtstart == second
    assert str(calendar.events[0].dtstart.tzinfo) == "Europe/London"
