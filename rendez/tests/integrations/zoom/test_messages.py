"""The messages of video bookings end to end: bookings through scheduling/services.py, every job run by the
real worker, Zoom played by the emulator over HTTP, email received by a real SMTP server (aiosmtpd).

The confirmation carries the meeting's join link and password in its text and in its invitation and goes out
as soon as the meeting is made; a booking moved twice and cancelled gets one right message per event; a
meeting that could not be made is announced as following, and follows once Zoom is connected.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.jobs.models import Job
from rendez.notifications import ics
from rendez.notifications.compose import LINK_FOLLOWS_LINE
from rendez.notifications.defaults import install_default_workflows
from rendez.notifications.models import Delivery
from rendez.notifications.tests.fixtures import invitation_of, plain_text
from rendez.scheduling import services
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff, run_jobs
from rendez.tests.integrations.zoom.test_lifecycle import a_monday, book, settle

CHARLIE = "charlie@example.com"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def workflows(alice):
    return install_default_workflows(alice)


@pytest.fixture
def video(alice, maria):
    tenant_settings.update(alice, {"enabled": True})
    return make_service(alice, maria, name="Video consultation", duration_minutes=30, zoom_enabled=True)


@pytest.fixture
def mail(request):
    """Rendez's email, received over SMTP."""
    return request.getfixturevalue("smtp_server")


def _sync_jobs():
    return Job.objects.filter(kind="conferencing.sync", state=Job.State.PENDING)


def test_a_video_confirmation_carries_the_link_and_password_as_soon_as_the_meeting_is_made(
    zoom,
    api,
    video,
    maria,
    workflows,
    mail,
):
    connect_staff(api, zoom, maria, MARIA)
    booking = book(video, maria, a_monday())
    # Zoom is slow today: the meeting is not there yet when the confirmation is first tried.
    _sync_jobs().update(run_after=timezone.now() + timedelta(hours=1))
    run_jobs()
    assert mail.to(CHARLIE) == []
    assert Delivery.objects.filter(state=Delivery.State.PENDING).exists()

    _sync_jobs().update(run_after=timezone.now())
    run_jobs()  # one drain: the sync makes the meeting, which wakes the waiting messages (no 10 s poll)

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.join_url and meeting.password
    [confirmation] = mail.to(CHARLIE)
    text = plain_text(confirmation)
    assert f"Join the video meeting: {meeting.join_url}\nMeeting password: {meeting.password}\n" in text
    calendar, part = invitation_of(confirmation)
    assert calendar.method == "REQUEST" and part.get_param("method") == "REQUEST"
    [event] = calendar.events
    assert event.location == meeting.join_url
    assert f"Join Zoom meeting: {meeting.join_url}\nPasscode: {meeting.password}" in (event.description or "")
    assert event.summary == "Video consultation with Maria Koch"
    assert event.dtstart == booking.appointment.start
    delivery = Delivery.objects.get(recipient=CHARLIE)
    assert delivery.sent_at is not None and delivery.sent_at - meeting.updated_at < timedelta(seconds=10)

    [staff_message] = mail.to(maria.email)
    assert "Start the meeting as host: http://testserver/panel/appointments/" in plain_text(staff_message)
    assert invitation_of(staff_message)[0].events[0].summary == "Video consultation with Charlie"


def test_a_video_booking_moved_twice_and_cancelled_gets_one_right_message_per_event(
    zoom,
    api,
    video,
    maria,
    workflows,
    mail,
):
    connect_staff(api, zoom, maria, MARIA)
    first = a_monday()
    second, third = first + timedelta(hours=2), first + timedelta(days=1, hours=1)
    booking = book(video, maria, first)
    services.reschedule_booking(booking, start=second)
    services.reschedule_booking(booking, start=third)
    services.cancel_booking(booking)

    settle()

    messages = mail.to(CHARLIE)
    assert [message["Subject"].split(":")[0] for message in messages] == [
        "Confirmed",
        "New time",
        "New time",
        "Cancelled",
    ]
    calendars = [invitation_of(message)[0] for message in messages]
    assert [calendar.method for calendar in calendars] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert [calendar.events[0].dtstart for calendar in calendars] == [first, second, third, third]
    assert [calendar.events[0].sequence for calendar in calendars] == [0, 1, 2, 3]
    for message, start in zip(messages, [first, second, third, third], strict=True):
        assert f"{start.astimezone(BERLIN):%H:%M}–" in plain_text(message)
    # Cancelled before its meeting was made: none made, none promised.
    assert not Meeting.objects.filter(external_id__gt="").exists()
    assert all(LINK_FOLLOWS_LINE not in plain_text(message) for message in messages)


def test_a_failed_meeting_is_announced_as_following_and_follows_once_zoom_is_connected(
    zoom,
    api,
    video,
    maria,
    workflows,
    mail,
):
    booking = book(video, maria, a_monday())  # Maria has not connected Zoom yet
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.FAILED
    [confirmation] = mail.to(CHARLIE)
    # Where the link and password would have been:
    assert f").\n\n{LINK_FOLLOWS_LINE}\n\nNeed to change something?" in plain_text(confirmation)
    assert "zoom" not in plain_text(confirmation).lower()
    [event] = invitation_of(confirmation)[0].events
    assert event.location == ics.LINK_FOLLOWS

    connect_staff(api, zoom, maria, MARIA)  # the reconnect asks for a sync of Maria's upcoming appointments
    settle()

    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.READY
    [_, link] = mail.to(CHARLIE)
    assert link["Subject"].startswith("Video link: Video consultation on ")
    text = plain_text(link)
    assert f"Join the video meeting: {meeting.join_url}\nMeeting password: {meeting.password}\n" in text
    [event] = invitation_of(link)[0].events
    assert event.location == meeting.join_url and event.sequence == 1
    settle()
    assert len(mail.to(CHARLIE)) == 2
