"""Where an invitation says the appointment takes place: the join link for a video service (from the one read
side of meetings), the business's address otherwise."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from rendez.conferencing.models import Meeting
from rendez.notifications import ics
from rendez.notifications.tests.fixtures import book
from rendez.scheduling.models import Booking

TOKYO = ZoneInfo("Asia/Tokyo")
JOIN_URL = "https://zoom.test/j/85746352411?pwd=x"


def _event(booking: Booking):
    booking = Booking.objects.select_related("appointment__meeting").get(pk=booking.pk)
    raw, _ = ics.build_invitation(booking, TOKYO)
    [event] = Calendar.from_ical(raw).walk("VEVENT")
    return str(event.get("LOCATION", "")), str(event["DESCRIPTION"])


def _meeting(booking: Booking, state: str, **fields) -> Meeting:
    values = {"external_id": "85746352411", "join_url": JOIN_URL, "password": "a1B2c3"}
    values.update(fields)
    return Meeting.objects.create(
        tenant=booking.tenant, appointment=booking.appointment, state=state, **values
    )


@pytest.mark.parametrize("state", [Meeting.State.READY, Meeting.State.UNMANAGED])
def test_a_video_invitation_is_located_at_the_join_link(tenant, zoom_service, state):
    booking = book(zoom_service)
    _meeting(booking, state)
    location, description = _event(booking)
    assert location == JOIN_URL
    assert f"Join Zoom meeting: {JOIN_URL}\nPasscode: a1B2c3\n" in description
    assert "Hauptstr" not in description


@pytest.mark.parametrize(("provider", "name"), [("google_meet", "Google Meet"), ("teams", "Microsoft Teams")])
def test_a_video_invitation_names_the_meetings_provider(tenant, zoom_service, provider, name):
    booking = book(zoom_service)
    _meeting(booking, Meeting.State.READY, provider=provider, password="")
    _, description = _event(booking)
    assert f"Join {name} meeting: {JOIN_URL}\n" in description


def test_a_meeting_without_a_passcode_has_no_passcode_line(tenant, zoom_service):
    booking = book(zoom_service)
    _meeting(booking, Meeting.State.READY, password="")
    location, description = _event(booking)
    assert location == JOIN_URL
    assert "Passcode" not in description


@pytest.mark.parametrize("state", [None, Meeting.State.PENDING, Meeting.State.FAILED, Meeting.State.DELETED])
def test_a_video_invitation_without_a_link_says_it_follows(tenant, zoom_service, state):
    booking = book(zoom_service)
    if state is not None:
        _meeting(booking, state)  # an old link on a record that is not ready is not shown
    location, description = _event(booking)
    assert location == ics.LINK_FOLLOWS
    assert ics.LINK_FOLLOWS in description
    assert JOIN_URL not in description and "Hauptstr" not in f"{location}{description}"


def test_an_invitation_without_video_is_located_at_the_business(tenant, service):
    booking = book(service)
    location, description = _event(booking)
    assert location == "Hauptstr. 1, Berlin"
    assert "Zoom" not in description and "link" not in description.lower().replace("manage your booking", "")


def test_a_cancelled_video_booking_still_names_its_place(tenant, zoom_service):
    booking = book(zoom_service)
    _meeting(booking, Meeting.State.DELETED)
    booking.status = Booking.Status.CANCELLED
    booking.save()
    raw, method = ics.build_invitation(booking, TOKYO)
    assert method == "CANCEL"
    assert ics.LINK_FOLLOWS not in raw.decode()
