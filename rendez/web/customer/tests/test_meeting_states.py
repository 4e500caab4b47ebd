"""What Charlie reads of a meeting that is not simply ready (issue 14, item 4): a link while it stands, a
plain sentence while Zoom keeps failing, nothing of a meeting being deleted or left on Zoom; never the reason
in the provider's or Rendez's internal words, never a host link. The same on /manage and the confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.scheduling import services
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service
from rendez.web.customer.tests.bookings import book, next_monday

pytestmark = pytest.mark.django_db

JOIN_URL = "https://zoom.example/j/85746352413?pwd=abc"
ZOOM_500 = "Zoom answered 500 (internal error)."
LEFT_REASON = "Zoom meeting 85746352413 on Zoom user maria@zoom.example could not be deleted: revoked."
DELAYED = "taking longer than usual"


@pytest.fixture
def video_booking(alice, dora) -> Booking:
    service = make_service(alice, dora, name="Video consultation", zoom_enabled=True)
    return book(service, dora, next_monday(10))


def _meeting(booking: Booking, state: str, *, link: bool = True, **fields) -> Meeting:
    values = {"external_id": "85746352413", "join_url": JOIN_URL, "password": "4821"} if link else {}
    values.update(fields)
    return Meeting.objects.create(
        tenant=booking.tenant,
        appointment=booking.appointment,
        state=state,
        host_staff_id=booking.appointment.staff_id,
        **values,
    )


def _pages(client: Client, booking: Booking) -> dict[str, str]:
    token = booking.manage_token
    paths = [f"/manage/{token}", f"/manage/{token}/video", f"/book/alice/done/{token}",
             f"/book/alice/done/{token}/meeting?n=1"]  # fmt: skip
    return {path: client.get(path).content.decode() for path in paths}


def _assert_no_internals(bodies: dict[str, str], *reasons: str) -> None:
    for path, body in bodies.items():
        for reason in reasons:
            assert reason not in body, path
        assert "maria@zoom.example" not in body and "start-meeting" not in body and "/s/" not in body, path


def test_a_meeting_zoom_keeps_refusing_to_make_is_a_plain_sentence(client, video_booking):
    _meeting(
        video_booking,
        Meeting.State.RETRYING,
        link=False,
        last_error=ZOOM_500,
        next_attempt_at=timezone.now() + timedelta(minutes=20),
    )
    bodies = _pages(client, video_booking)
    for path, body in bodies.items():
        assert DELAYED in body, path
        assert JOIN_URL not in body, path
    _assert_no_internals(bodies, ZOOM_500, "Retrying", "retrying")


def test_a_meeting_whose_change_keeps_failing_still_gives_the_customer_its_link(client, video_booking):
    _meeting(video_booking, Meeting.State.RETRYING, last_error=ZOOM_500)
    bodies = _pages(client, video_booking)
    for path in (f"/manage/{video_booking.manage_token}", f"/book/alice/done/{video_booking.manage_token}"):
        assert JOIN_URL in bodies[path] and DELAYED not in bodies[path], path
    _assert_no_internals(bodies, ZOOM_500)


@pytest.mark.parametrize(
    ("state", "reason"), [(Meeting.State.READY, ""), (Meeting.State.LEFT_ON_ZOOM, LEFT_REASON)]
)
def test_a_cancelled_booking_shows_no_link_of_a_meeting_being_deleted_or_left_on_zoom(
    client, video_booking, state, reason
):
    _meeting(video_booking, state, last_error=reason)
    services.cancel_booking(video_booking)
    bodies = _pages(client, video_booking)
    for path, body in bodies.items():
        assert JOIN_URL not in body and "4821" not in body, path
    assert "This booking is cancelled" in bodies[f"/book/alice/done/{video_booking.manage_token}"]
    assert "Join video meeting" not in bodies[f"/manage/{video_booking.manage_token}"]
    _assert_no_internals(bodies, *([reason] if reason else []), "Left on Zoom", "Being deleted")


def test_a_held_seat_whose_old_meeting_is_left_on_zoom_gets_no_link_and_no_reason(client, video_booking):
    _meeting(video_booking, Meeting.State.LEFT_ON_ZOOM, last_error=LEFT_REASON)
    bodies = _pages(client, video_booking)
    for path, body in bodies.items():
        assert JOIN_URL not in body, path
    _assert_no_internals(bodies, LEFT_REASON, "Left on Zoom")
