"""Changes made on Zoom's side: the host deletes or moves a meeting in Zoom, Zoom tells Rendez by an event.

The emulator makes the change and delivers the event to the inbox; the test replays it to Rendez exactly as
Zoom sent it, runs the jobs with the real worker, and asserts the record, the people told, what the API shows
and the Zoom calls made afterwards (the emulator's request log). Rendez's own deletes and PATCHes come back as
events too: those change nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom.models import Event
from rendez.jobs.models import Job
from rendez.scheduling import services
from rendez.scheduling.models import Booking
from rendez.tests.integrations.zoom.deliveries import deliver_signed, load
from rendez.tests.integrations.zoom.fixtures import JONAS, MARIA, MARIA_EMAIL, connect_staff
from rendez.tests.integrations.zoom.test_lifecycle import (  # noqa: F401 - fixtures
    a_monday,
    book,
    hosted,
    meeting_calls,
    settle,
    video,
)
from zoom_emulator import meetings as zoom_meetings

DELETED_SUBJECT = "was deleted outside Rendez"


@pytest.fixture
def booked(zoom, inbox, hosted, video, maria, alice_admin) -> Booking:  # noqa: F811
    """A confirmed video booking whose meeting exists, with Zoom's log and the inbox emptied."""
    booking = book(video, maria, a_monday())
    settle()
    assert Meeting.objects.get().state == Meeting.State.READY
    quiet(zoom, inbox)
    return booking


def quiet(zoom, inbox) -> None:
    assert zoom.control.wait_for_webhooks()
    inbox.received.clear()
    zoom.control.clear_requests()


def the_meeting() -> Meeting:
    return Meeting.objects.get()


def host_of(zoom) -> Any:
    return zoom.emulator.state.users[MARIA]


def replay(zoom, inbox, event_type: str):
    """Replay the one delivery of `event_type` Zoom made since the inbox was emptied."""
    assert zoom.control.wait_for_webhooks()
    [index] = [number for number, name in enumerate(inbox.events()) if name == event_type]
    response = inbox.replay(Client(), index)
    assert response.status_code == 204
    return Event.objects.filter(event_type=event_type).latest("pk")


def zulu(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def deleted_notices(mailoutbox) -> list:
    return [message for message in mailoutbox if DELETED_SUBJECT in message.subject]


# --- deleted on Zoom ----------------------------------------------------------------------------------------


def test_a_meeting_the_host_deletes_in_zoom_is_marked_deleted_and_staff_are_told(
    zoom, inbox, api, booked, mailoutbox
):
    external_id = the_meeting().external_id
    zoom_meetings.delete_meeting(zoom.emulator, int(external_id), host_of(zoom))

    event = replay(zoom, inbox, "meeting.deleted")
    settle()

    assert (event.outcome, event.detail) == (
        Event.Outcome.PROCESSED,
        f"meeting {external_id} of appointment {booked.appointment_id} deleted by {MARIA_EMAIL}",
    )
    meeting = the_meeting()
    assert (meeting.state, meeting.external_id, meeting.join_url, meeting.password) == (
        Meeting.State.DELETED,
        external_id,
        "",
        "",
    )
    reason = "The meeting was deleted in Zoom by its host; sync the meeting to make a new one."
    assert meeting.last_error == reason
    [notice] = deleted_notices(mailoutbox)
    assert set(notice.to) == {MARIA_EMAIL, "admin@alice.example"}
    assert reason in notice.body and f"/appointments/{booked.appointment_id}/meeting/sync" in notice.body
    shown = api.get(f"/appointments/{booked.appointment_id}").json()["meeting"]
    assert (shown["state"], shown["join_url"], shown["last_error"]) == ("deleted", None, reason)
    # Nothing is made by itself.
    assert meeting_calls(zoom) == []


def test_one_sync_call_makes_a_new_meeting_after_a_deletion_in_zoom(zoom, inbox, api, booked):
    old_id = the_meeting().external_id
    zoom_meetings.delete_meeting(zoom.emulator, int(old_id), None)  # from Zoom's pages
    replay(zoom, inbox, "meeting.deleted")
    settle()
    zoom.control.clear_requests()

    response = api.post(f"/appointments/{booked.appointment_id}/meeting/sync")
    settle()

    assert response.status_code == 202
    assert [(method, path) for method, path, _ in meeting_calls(zoom)] == [("POST", "/v2/users/me/meetings")]
    meeting = the_meeting()
    assert meeting.state == Meeting.State.READY and meeting.last_error == ""
    assert meeting.external_id != old_id and meeting.join_url
    shown = api.get(f"/appointments/{booked.appointment_id}").json()["meeting"]
    assert (shown["state"], shown["meeting_id"], shown["last_error"]) == ("ready", meeting.external_id, None)


def test_a_reschedule_after_a_deletion_in_zoom_makes_a_new_meeting(zoom, inbox, booked):
    zoom_meetings.delete_meeting(zoom.emulator, int(the_meeting().external_id), None)
    replay(zoom, inbox, "meeting.deleted")
    settle()
    zoom.control.clear_requests()

    services.reschedule_booking(booked, start=a_monday() + timedelta(hours=3))
    settle()

    assert [method for method, _, _ in meeting_calls(zoom)] == ["POST"]
    assert the_meeting().state == Meeting.State.READY


def test_our_own_delete_coming_back_is_ignored(zoom, inbox, booked, mailoutbox):
    external_id = the_meeting().external_id
    services.cancel_booking(booked)
    settle()
    assert [method for method, _, _ in meeting_calls(zoom)] == ["DELETE"]

    event = replay(zoom, inbox, "meeting.deleted")

    assert (event.outcome, event.detail) == (
        Event.Outcome.IGNORED,
        f"meeting {external_id} of appointment {booked.appointment_id} is deleted",
    )
    assert not Job.objects.filter(kind="conferencing.changed_elsewhere").exists()
    settle()
    assert the_meeting().last_error == ""
    assert deleted_notices(mailoutbox) == []


def test_the_old_meetings_deletion_after_a_change_of_host_is_ignored(zoom, inbox, api, booked, video, jonas):  # noqa: F811
    connect_staff(api, zoom, jonas, JONAS)
    video.staff.add(jonas)
    old_id = the_meeting().external_id
    quiet(zoom, inbox)
    services.reschedule_booking(booked, start=booked.appointment.start, staff=jonas)
    settle()
    # Replace, then retire: the new meeting exists before the old one goes.
    assert [method for method, _, _ in meeting_calls(zoom)] == ["POST", "DELETE"]

    event = replay(zoom, inbox, "meeting.deleted")

    assert (event.outcome, event.detail) == (
        Event.Outcome.IGNORED,
        f"meeting {old_id} is not one Rendez keeps",
    )
    assert the_meeting().state == Meeting.State.READY


def test_a_deletion_reported_while_our_own_delete_is_being_recorded_changes_nothing(booked, mailoutbox):
    # The event overtakes the sync: Zoom reports our DELETE before the sync has written it down. The report
    # waits for the sync (same job key) and then finds the record deleted.
    meeting = the_meeting()
    event = load("meeting.deleted")
    event["payload"]["object"]["id"] = int(meeting.external_id)
    assert deliver_signed(event).status_code == 204
    assert Event.objects.get().outcome == Event.Outcome.PROCESSED
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.DELETED, join_url="", password="")

    settle()

    assert the_meeting().last_error == ""
    assert deleted_notices(mailoutbox) == []


# --- moved on Zoom ------------------------------------------------------------------------------------------


def move_on_zoom(zoom, meeting: Meeting, start: datetime, duration: int | None = None) -> None:
    body: dict[str, Any] = {"start_time": zulu(start), "timezone": "Europe/Berlin"}
    if duration is not None:
        body["duration"] = duration
    zoom_meetings.update_meeting(zoom.emulator, int(meeting.external_id), body, None)


def test_a_meeting_the_host_moves_in_zoom_is_shown_and_not_moved_back(zoom, inbox, api, booked, mailoutbox):
    meeting = the_meeting()
    moved_to = booked.appointment.start + timedelta(hours=1)
    move_on_zoom(zoom, meeting, moved_to, duration=45)

    event = replay(zoom, inbox, "meeting.updated")
    settle()

    assert (event.outcome, event.detail) == (
        Event.Outcome.PROCESSED,
        f"meeting {meeting.external_id} of appointment {booked.appointment_id} moved by {MARIA_EMAIL}",
    )
    shown = api.get(f"/bookings/{booked.pk}").json()["meeting"]
    assert shown["state"] == "ready" and shown["join_url"] == meeting.join_url
    changed = shown["changed_elsewhere"]
    assert (changed["start"], changed["duration_minutes"]) == (zulu(moved_to), 45)
    assert changed["changed_at"] is not None
    recorded = the_meeting()
    assert (recorded.sent_start, recorded.sent_duration_minutes) == (booked.appointment.start, 30)
    assert deleted_notices(mailoutbox) == []

    zoom.control.clear_requests()
    assert api.post(f"/appointments/{booked.appointment_id}/meeting/sync").status_code == 202
    settle()

    assert meeting_calls(zoom) == []
    assert api.get(f"/bookings/{booked.pk}").json()["meeting"]["changed_elsewhere"] == changed


def test_a_reschedule_after_a_move_in_zoom_sends_the_appointments_time_and_clears_the_record(
    zoom, inbox, api, booked
):
    meeting = the_meeting()
    move_on_zoom(zoom, meeting, booked.appointment.start + timedelta(hours=1))
    replay(zoom, inbox, "meeting.updated")
    settle()
    assert api.get(f"/bookings/{booked.pk}").json()["meeting"]["changed_elsewhere"] is not None
    quiet(zoom, inbox)
    new_start = a_monday() + timedelta(hours=4)

    services.reschedule_booking(booked, start=new_start)
    settle()

    calls = meeting_calls(zoom)
    assert [method for method, _, _ in calls] == ["PATCH"]
    assert calls[0][2]["start_time"] == zulu(new_start)
    # Our send replaced the host's start: shown no more, and the PATCH's echo has nothing to add.
    assert api.get(f"/bookings/{booked.pk}").json()["meeting"]["changed_elsewhere"] is None
    echo = replay(zoom, inbox, "meeting.updated")
    assert echo.outcome == Event.Outcome.IGNORED


def test_our_own_patch_coming_back_is_ignored(zoom, inbox, api, booked):
    meeting = the_meeting()
    services.reschedule_booking(booked, start=a_monday() + timedelta(hours=2))
    settle()
    assert [method for method, _, _ in meeting_calls(zoom)] == ["PATCH"]

    event = replay(zoom, inbox, "meeting.updated")

    assert (event.outcome, event.detail) == (
        Event.Outcome.IGNORED,
        f"meeting {meeting.external_id} has the time Rendez sent (Rendez's own change)",
    )
    assert not Job.objects.filter(kind="conferencing.changed_elsewhere").exists()
    assert api.get(f"/bookings/{booked.pk}").json()["meeting"]["changed_elsewhere"] is None


def test_a_move_reported_before_our_own_patch_is_recorded_ends_in_step(booked, api):
    # Zoom reports our PATCH before the sync wrote down what it sent: the report waits for the sync.
    meeting = the_meeting()
    sent = booked.appointment.start
    new_start = sent + timedelta(hours=2)
    event = load("meeting.updated")
    event["payload"]["object"] = {"id": int(meeting.external_id), "start_time": zulu(new_start)}
    event["payload"]["old_object"] = {"id": int(meeting.external_id), "start_time": zulu(sent)}
    assert deliver_signed(event).status_code == 204
    assert Event.objects.get().outcome == Event.Outcome.PROCESSED
    Meeting.objects.filter(pk=meeting.pk).update(sent_start=new_start)

    settle()

    assert api.get(f"/bookings/{booked.pk}").json()["meeting"]["changed_elsewhere"] is None


def test_an_older_report_arriving_late_does_not_replace_a_newer_one(booked, api):
    meeting = the_meeting()
    later, earlier = (
        booked.appointment.start + timedelta(hours=3),
        booked.appointment.start + timedelta(hours=1),
    )
    for start, stamp in ((later, 1_700_000_002_000), (earlier, 1_700_000_001_000)):
        event = load("meeting.updated")
        event["event_ts"] = event["payload"]["time_stamp"] = stamp
        event["payload"]["object"] = {"id": int(meeting.external_id), "start_time": zulu(start)}
        assert deliver_signed(event).status_code == 204
    settle()

    changed = api.get(f"/bookings/{booked.pk}").json()["meeting"]["changed_elsewhere"]
    assert changed["start"] == zulu(later)


def test_a_topic_edit_in_zoom_is_not_a_move(zoom, inbox, booked):
    zoom_meetings.update_meeting(zoom.emulator, int(the_meeting().external_id), {"topic": "Renamed"}, None)

    event = replay(zoom, inbox, "meeting.updated")

    assert (event.outcome, event.detail) == (Event.Outcome.IGNORED, "no change of time")


def test_a_meeting_the_host_moves_back_in_zoom_is_in_step_again(zoom, inbox, api, booked):
    meeting = the_meeting()
    move_on_zoom(zoom, meeting, booked.appointment.start + timedelta(hours=1))
    replay(zoom, inbox, "meeting.updated")
    settle()
    quiet(zoom, inbox)

    move_on_zoom(zoom, meeting, booked.appointment.start)
    event = replay(zoom, inbox, "meeting.updated")
    settle()

    assert event.outcome == Event.Outcome.PROCESSED
    assert api.get(f"/bookings/{booked.pk}").json()["meeting"]["changed_elsewhere"] is None
