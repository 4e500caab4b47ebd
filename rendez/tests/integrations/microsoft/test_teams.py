"""Microsoft Teams as a service's video provider: the meeting is one Outlook event made as a Teams meeting
(`isOnlineMeeting`, `teamsForBusiness`) on the staff member's Microsoft 365 calendar, its join URL
the link people get; moved and deleted with the appointment, adopted after a lost answer; the calendar writer
writes no second event. Graph is the emulator over HTTP; what is asserted is its request log and state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.conferencing.queries import meeting_view
from rendez.integrations.microsoft import connections
from rendez.integrations.zoom import tenant_settings
from rendez.jobs.models import Job
from rendez.scheduling import services
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import customer, make_service
from rendez.tests.integrations.microsoft.world import berlin, grant_from_consent, settle, sync_now


@pytest.fixture
def teams_service(alice, maria):
    return make_service(alice, maria, name="Teams call", duration_minutes=30, video_provider="teams")


def book(service, staff, start, who="Charlie") -> Booking:
    return services.book(service=service, staff=staff, start=start, customer=customer(who))


def live_events(microsoft) -> list[dict[str, Any]]:
    return [event for event in microsoft.control.state()["events"] if not event.get("isCancelled")]


def writes(microsoft) -> list[dict[str, Any]]:
    return [
        entry
        for entry in microsoft.control.requests(path="/graph/v1.0/me/*")
        if entry["method"] in ("POST", "PATCH", "DELETE") and "/events" in entry["path"]
    ]


def test_a_teams_booking_is_one_online_meeting_event_moved_and_deleted_with_it(
    microsoft, connected, teams_service, maria, monday
):
    microsoft.control.clear_requests()
    booking = book(teams_service, maria, berlin(monday, 10))
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.provider == "teams"
    assert meeting.join_url.startswith("https://teams.microsoft.com/")
    [event] = live_events(microsoft)  # the meeting's event only: the writer wrote no second one
    assert event["onlineMeeting"]["joinUrl"] == meeting.join_url and event["id"] == meeting.external_id
    [post] = [entry["body"] for entry in writes(microsoft) if entry["method"] == "POST"]
    assert post["isOnlineMeeting"] is True and post["onlineMeetingProvider"] == "teamsForBusiness"
    assert post["transactionId"].startswith(f"rendez-teams-{booking.appointment.pk}-")
    view = meeting_view(booking.appointment, booking)
    assert view is not None and view.ready and view.join_url == meeting.join_url

    microsoft.control.clear_requests()
    services.reschedule_booking(booking, start=berlin(monday, 11))
    settle()
    [patch] = writes(microsoft)
    assert patch["method"] == "PATCH" and patch["body"]["start"] == {
        "dateTime": berlin(monday, 11).replace(tzinfo=None).isoformat(),
        "timeZone": "Europe/Berlin",
    }
    [event] = live_events(microsoft)
    assert event["onlineMeeting"]["joinUrl"] == meeting.join_url

    microsoft.control.clear_requests()
    services.cancel_booking(booking)
    settle()
    assert [entry["method"] for entry in writes(microsoft)] == ["DELETE"]
    assert live_events(microsoft) == []
    assert Meeting.objects.get(appointment=booking.appointment).state == Meeting.State.DELETED


def test_a_teams_event_is_named_by_the_tenants_meeting_templates(
    alice, microsoft, connected, teams_service, maria, monday
):
    tenant_settings.update(
        alice,
        {"topic_template": "{tenant_name}: {service_name}", "description_template": "With {staff_name}."},
    )
    book(teams_service, maria, berlin(monday, 10))
    settle()

    [event] = live_events(microsoft)
    assert event["subject"] == "Alice's Studio: Teams call"
    assert event["body"]["content"] == "With Maria Koch."


def test_a_create_whose_answer_was_lost_is_adopted_not_made_twice(
    microsoft, connected, teams_service, maria, monday
):
    microsoft.control.set_faults(lose_response=1)
    booking = book(teams_service, maria, berlin(monday, 14))
    settle()
    Job.objects.exclude(state__in=["succeeded", "dead"]).update(
        run_after=timezone.now() - timedelta(seconds=1)
    )
    settle()

    [event] = live_events(microsoft)
    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.external_id == event["id"]
    assert meeting.join_url == event["onlineMeeting"]["joinUrl"]


def test_staff_without_zoom_but_with_microsoft_get_the_fallback_teams_link(
    microsoft, connected, zoom, alice, maria, monday
):
    tenant_settings.update(alice, {"enabled": True})
    service = make_service(
        alice, maria, name="Video call", video_provider="zoom", fallback_video_provider="teams"
    )
    zoom.control.clear_requests()
    booking = book(service, maria, berlin(monday, 9))
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.provider == "teams"
    assert meeting.join_url.startswith("https://teams.microsoft.com/")
    assert [entry for entry in zoom.control.requests() if "/meetings" in entry["path"]] == []
    assert len(live_events(microsoft)) == 1


SAM_PERSONAL = "00000000-0000-0000-4d2a-7e5b1c9f0a44"


def test_a_personal_microsoft_account_makes_no_teams_meeting_and_leaves_no_event(
    microsoft, alice, maria, teams_service, monday
):
    connections.connect_with_grant(maria, grant_from_consent(microsoft, SAM_PERSONAL))
    settle()
    booking = book(teams_service, maria, berlin(monday, 16))
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.FAILED and "work or school" in meeting.last_error
    assert live_events(microsoft) == []


def test_a_teams_event_moved_or_deleted_in_outlook_is_reported_to_the_meeting(
    microsoft, connected, teams_service, maria, monday
):
    moved = book(teams_service, maria, berlin(monday, 9), who="Moved")
    deleted = book(teams_service, maria, berlin(monday, 15), who="Deleted")
    settle()
    sync_now(connected)  # our own creates come back: nothing is reported
    one = Meeting.objects.get(appointment=moved.appointment)
    other = Meeting.objects.get(appointment=deleted.appointment)
    assert one.changed_elsewhere_at is None and other.changed_elsewhere_at is None

    later = berlin(monday, 10)
    microsoft.control.outlook_update(
        one.external_id,
        {
            "start": {"dateTime": later.replace(tzinfo=None).isoformat(), "timeZone": "Europe/Berlin"},
            "end": {
                "dateTime": (later + timedelta(minutes=30)).replace(tzinfo=None).isoformat(),
                "timeZone": "Europe/Berlin",
            },
        },
    )
    microsoft.control.outlook_delete(other.external_id)
    sync_now(connected)

    one.refresh_from_db()
    other.refresh_from_db()
    assert one.state == Meeting.State.READY and one.provider_start == later and one.changed_elsewhere_at
    assert other.state == Meeting.State.DELETED and "deleted in Microsoft Teams" in other.last_error
