"""The notices about a meeting name its provider: a Google Meet meeting's speak of Google Meet (and promise
no retry on reconnect, which only Zoom's connections do), a Zoom meeting's read as they always have."""

from __future__ import annotations

import pytest

from rendez.conferencing import notices
from rendez.conferencing.models import Meeting
from rendez.web.panel.tests.fixtures import make_meeting

pytestmark = pytest.mark.django_db

MEET_URL = "https://meet.google.com/abc-defg-hij"


@pytest.fixture
def meet_meeting(ada, doras_appointment) -> Meeting:
    return make_meeting(
        doras_appointment,
        provider="google_meet",
        external_id="evt-1",
        join_url=MEET_URL,
        password="",
        last_error="Google Calendar refused the event.",
    )


def sent(mailoutbox, meeting: Meeting, event: str, detail: str = ""):
    assert notices.send(meeting, event, detail)
    message = mailoutbox[-1]
    return message.subject, message.body


def test_a_meet_meetings_failure_names_no_zoom_and_promises_no_retry_by_itself(mailoutbox, meet_meeting):
    subject, body = sent(mailoutbox, meet_meeting, notices.FAILED)
    assert subject.startswith("No video meeting for Consultation on ")
    assert "Why: Google Calendar refused the event." in body
    assert body.endswith(f"/api/v1/appointments/{meet_meeting.appointment_id}/meeting/sync).")
    assert "Zoom" not in subject + body
    assert "ada@alice.example" in mailoutbox[-1].to


def test_a_recreated_meet_meeting_was_gone_from_google_meet(mailoutbox, meet_meeting):
    subject, body = sent(mailoutbox, meet_meeting, notices.RECREATED)
    assert "was gone from Google Meet, so Rendez made a new one" in body
    assert f"New link: {MEET_URL}" in body and "Zoom" not in subject + body


def test_a_deferred_meet_meeting_waits_for_google_meet(mailoutbox, meet_meeting):
    subject, body = sent(mailoutbox, meet_meeting, notices.DEFERRED, "Google's limit is reached.")
    assert subject.endswith("waits for Google Meet's daily limit")
    assert "as soon as Google Meet accepts requests again" in body
    assert "that need Google Meet before then" in body and "Zoom" not in subject + body


def test_a_meet_meeting_left_behind_is_left_on_google_meet(mailoutbox, meet_meeting):
    subject, body = sent(mailoutbox, meet_meeting, notices.LEFT_ON_ZOOM, "It is still live.")
    assert "Meetings left on Google Meet are listed" in body and "Zoom" not in subject + body


def test_a_zoom_meetings_failure_reads_as_before(mailoutbox, ada, doras_appointment):
    meeting = make_meeting(doras_appointment, Meeting.State.FAILED, last_error="Zoom said no.")
    subject, body = sent(mailoutbox, meeting, notices.FAILED)
    assert body.endswith(
        f"/api/v1/appointments/{meeting.appointment_id}/meeting/sync); "
        "a reconnected Zoom account retries by itself."
    )
    _, deferred = sent(mailoutbox, meeting, notices.DEFERRED, "Zoom's limit.")
    assert "as soon as Zoom accepts requests again. Other meetings of Dora that need Zoom before" in deferred
