"""Google Meet as a service's video provider, and as the fallback of a Zoom service: the meeting is one event
on the staff member's Google calendar with a Meet conference (`conferenceDataVersion=1`), moved and deleted
with the appointment, never duplicated by a lost answer; Rendez's calendar writer writes no second event.
Google and Zoom are emulators over HTTP; what is asserted is their request logs and state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rendez import jobs
from rendez.calendars.models import CalendarEvent
from rendez.conferencing.models import Meeting, RetiredMeeting
from rendez.conferencing.queries import meeting_view
from rendez.integrations.google import connections
from rendez.integrations.zoom import tenant_settings
from rendez.jobs.models import Job
from rendez.notifications.defaults import install_default_workflows
from rendez.notifications.tests.fixtures import plain_text
from rendez.scheduling import services
from rendez.scheduling.models import Appointment, Booking
from rendez.scheduling.tests.factories import customer, make_service
from rendez.tests.integrations.google.world import MARIA, berlin, grant_from_consent, settle, sync_now
from rendez.tests.integrations.zoom.fixtures import JONAS_EMAIL, connect_staff
from rendez.tests.integrations.zoom.fixtures import MARIA as MARIA_ZOOM

EVENTS_PATH = f"/calendar/v3/calendars/{MARIA}/events"


@pytest.fixture
def meet_service(alice, maria):
    return make_service(
        alice, maria, name="Meet consultation", duration_minutes=30, video_provider="google_meet"
    )


def book(service, staff, start, who="Charlie") -> Booking:
    return services.book(service=service, staff=staff, start=start, customer=customer(who))


def live_events(google) -> list[dict[str, Any]]:
    return [event for event in google.control.state()["events"] if event.get("status") != "cancelled"]


def meet_events(google, appointment: Appointment) -> list[dict[str, Any]]:
    return [
        event
        for event in live_events(google)
        if (event.get("extendedProperties") or {}).get("private", {}).get("rendezMeeting")
        == str(appointment.pk)
    ]


def writes(google) -> list[dict[str, Any]]:
    return [
        entry
        for entry in google.control.requests(path=f"{EVENTS_PATH}*")
        if entry["method"] in ("POST", "PATCH", "DELETE") and not entry["path"].endswith("/watch")
    ]


def retry_now() -> None:
    """Run the retried jobs now rather than after their backoff."""
    Job.objects.exclude(state__in=["succeeded", "dead"]).update(
        run_after=timezone.now() - timedelta(seconds=1)
    )
    settle()


def test_a_meet_booking_is_one_event_with_a_meet_link_moved_and_deleted_with_it(
    google, connected, meet_service, maria, monday
):
    google.control.clear_requests()
    booking = book(meet_service, maria, berlin(monday, 10))
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.provider == "google_meet"
    assert meeting.join_url.startswith("https://meet.google.com/")
    [event] = live_events(google)  # one event in the calendar: the meeting's, no second one by the writer
    assert event["hangoutLink"] == meeting.join_url and event["id"] == meeting.external_id
    assert event["conferenceData"]["createRequest"]["status"] == {"statusCode": "success"}
    assert event["start"]["dateTime"] == berlin(monday, 10).isoformat()
    [insert] = [entry for entry in writes(google) if entry["method"] == "POST"]
    assert insert["query"]["conferenceDataVersion"] == ["1"]
    request = insert["body"]["conferenceData"]["createRequest"]
    assert request["conferenceSolutionKey"] == {"type": "hangoutsMeet"}
    assert request["requestId"].startswith(f"rendez-{booking.appointment.pk}-")
    # The link reaches the booking where a Zoom link would.
    view = meeting_view(booking.appointment, booking)
    assert view is not None and view.ready and view.join_url == meeting.join_url
    assert not CalendarEvent.objects.filter(
        appointment=booking.appointment, state=CalendarEvent.State.WRITTEN
    ).exists()

    google.control.clear_requests()
    services.reschedule_booking(booking, start=berlin(monday, 11))
    settle()
    patches = [entry for entry in writes(google) if entry["method"] == "PATCH"]
    assert [entry["body"]["start"]["dateTime"] for entry in patches] == [berlin(monday, 11).isoformat()]
    assert [entry["method"] for entry in writes(google)] == ["PATCH"]
    [event] = live_events(google)
    assert event["start"]["dateTime"] == berlin(monday, 11).isoformat()
    assert event["hangoutLink"] == meeting.join_url  # the same meeting, the link people hold

    google.control.clear_requests()
    services.cancel_booking(booking)
    settle()
    assert [entry["method"] for entry in writes(google)] == ["DELETE"]
    assert live_events(google) == []
    assert Meeting.objects.get(appointment=booking.appointment).state == Meeting.State.DELETED


def test_a_meet_event_is_named_by_the_tenants_meeting_templates(
    alice, google, connected, meet_service, maria, monday
):
    tenant_settings.update(
        alice,
        {"topic_template": "{tenant_name}: {service_name}", "description_template": "With {staff_name}."},
    )
    booking = book(meet_service, maria, berlin(monday, 10))
    settle()

    [event] = meet_events(google, booking.appointment)
    assert event["summary"] == "Alice's Studio: Meet consultation"
    assert event["description"] == "With Maria Koch."


def test_a_create_whose_answer_was_lost_is_adopted_not_made_twice(
    google, connected, meet_service, maria, monday
):
    # Google applies the insert, then the connection drops before the answer.
    google.control.set_faults(lose_responses=1, paths=[EVENTS_PATH])
    booking = book(meet_service, maria, berlin(monday, 14))
    settle()
    retry_now()

    [event] = meet_events(google, booking.appointment)
    assert len(live_events(google)) == 1
    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.external_id == event["id"]
    assert meeting.join_url == event["hangoutLink"]
    assert [entry["method"] for entry in writes(google)].count("POST") == 1
    lookups = [
        entry
        for entry in google.control.requests("GET", EVENTS_PATH)
        if "privateExtendedProperty" in entry["query"]
    ]
    assert lookups[-1]["query"]["privateExtendedProperty"] == [f"rendezMeeting={booking.appointment.pk}"]


def test_a_conference_still_pending_is_read_again_until_its_link_is_there(
    google, connected, meet_service, maria, monday
):
    google.control.settings(meet_pending_reads=2)
    booking = book(meet_service, maria, berlin(monday, 15))
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.join_url.startswith("https://meet.google.com/")
    reads = [entry for entry in google.control.requests("GET", f"{EVENTS_PATH}/{meeting.external_id}")]
    assert len(reads) >= 1
    assert len(live_events(google)) == 1


def test_a_meet_service_without_a_google_calendar_fails_with_a_reason(alice, maria, meet_service, monday):
    booking = book(meet_service, maria, berlin(monday, 10))
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.FAILED and meeting.provider == "google_meet"
    assert "Google Calendar" in meeting.last_error


# --- Google Meet as the fallback of a Zoom service ----------------------------------------------------------


@pytest.fixture
def zoom_with_meet_fallback(alice, maria):
    tenant_settings.update(alice, {"enabled": True})
    return make_service(
        alice,
        maria,
        name="Video consultation",
        duration_minutes=30,
        video_provider="zoom",
        fallback_video_provider="google_meet",
    )


def test_staff_without_zoom_but_with_google_get_the_fallback_meet_link(
    google, connected, zoom, zoom_with_meet_fallback, maria, monday
):
    zoom.control.clear_requests()
    booking = book(zoom_with_meet_fallback, maria, berlin(monday, 10))
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.provider == "google_meet"
    assert meeting.join_url.startswith("https://meet.google.com/")
    assert [entry for entry in zoom.control.requests() if "/meetings" in entry["path"]] == []
    assert len(live_events(google)) == 1


def test_a_zoom_meeting_replaced_by_the_fallback_is_told_to_the_customer(
    google, connected, zoom, api, alice, zoom_with_meet_fallback, maria, monday, smtp_server
):
    install_default_workflows(alice)
    connect_staff(api, zoom, maria, MARIA_ZOOM)
    booking = book(zoom_with_meet_fallback, maria, berlin(monday, 10), who="Dora")
    settle()
    zoom_meeting = Meeting.objects.get(appointment=booking.appointment)
    assert zoom_meeting.provider == "zoom" and zoom_meeting.state == Meeting.State.READY
    address = booking.customer.email
    assert zoom_meeting.join_url in plain_text(smtp_server.to(address)[-1])
    before = len(smtp_server.to(address))

    # Maria's Zoom goes: her upcoming meetings are synced again, and only the fallback can host them.
    assert api.delete(f"/staff/{maria.pk}/zoom").status_code == 204
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.provider == "google_meet"
    assert meeting.join_url.startswith("https://meet.google.com/")
    retired = RetiredMeeting.objects.get(appointment=booking.appointment)
    assert retired.provider == "zoom" and retired.external_id == zoom_meeting.external_id
    # The customer is sent the live link, and nothing sent since carries the Zoom one.
    since = [plain_text(message) for message in smtp_server.to(address)[before:]]
    assert since and meeting.join_url in since[-1]
    assert all(zoom_meeting.join_url not in text for text in since)


def test_a_zoom_create_failing_past_its_retries_falls_back_to_meet(
    google, connected, zoom, api, zoom_with_meet_fallback, maria, monday
):
    from rendez.conferencing import reconcile

    connect_staff(api, zoom, maria, MARIA_ZOOM)
    booking = book(zoom_with_meet_fallback, maria, berlin(monday, 10))
    Job.objects.filter(kind="conferencing.sync").delete()
    zoom.control.set_faults(paths=["/v2/users/me/meetings"], error_rate=1.0, error_kind="503")

    # An attempt that is not the last one waits for Zoom, as before.
    with pytest.raises(jobs.Retry):
        reconcile.sync(booking.appointment_id)
    assert Meeting.objects.get(appointment=booking.appointment).state == Meeting.State.RETRYING

    assert reconcile.sync(booking.appointment_id, last_attempt=True).startswith("fallback_")

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.provider == "google_meet"
    assert meeting.join_url.startswith("https://meet.google.com/") and meeting.last_error == ""
    assert zoom.emulator.state.meetings == {}
    [event] = meet_events(google, booking.appointment)
    assert event["hangoutLink"] == meeting.join_url


def test_a_group_meet_session_shares_one_link_without_asking_for_personal_ones(
    google, connected, alice, maria, monday
):
    group = make_service(
        alice, maria, name="Meet group", capacity=4, per_attendee_links=True, video_provider="google_meet"
    )
    first = book(group, maria, berlin(monday, 12), who="Ann")
    book(group, maria, berlin(monday, 12), who="Ben")
    settle()

    meeting = Meeting.objects.get(appointment=first.appointment)
    assert meeting.state == Meeting.State.READY and meeting.registration == Meeting.Registration.OFF
    assert meeting.registration_note == "" and len(live_events(google)) == 1


def test_turning_zoom_off_leaves_its_meetings_be_and_new_bookings_get_the_fallback(
    google, connected, zoom, api, alice, zoom_with_meet_fallback, maria, monday
):
    from rendez.conferencing import reconcile

    connect_staff(api, zoom, maria, MARIA_ZOOM)
    before = book(zoom_with_meet_fallback, maria, berlin(monday, 9))
    settle()
    made = Meeting.objects.get(appointment=before.appointment)
    assert made.provider == "zoom" and made.state == Meeting.State.READY

    tenant_settings.update(alice, {"enabled": False})
    reconcile.sync(before.appointment_id)
    after = book(zoom_with_meet_fallback, maria, berlin(monday, 13))
    settle()

    kept = Meeting.objects.get(appointment=before.appointment)
    assert (kept.provider, kept.external_id, kept.state) == ("zoom", made.external_id, Meeting.State.READY)
    new = Meeting.objects.get(appointment=after.appointment)
    assert new.provider == "google_meet" and new.join_url.startswith("https://meet.google.com/")


def test_a_meet_event_moved_or_deleted_in_google_is_reported_to_the_meeting(
    google, connected, meet_service, maria, monday
):
    moved = book(meet_service, maria, berlin(monday, 9), who="Moved")
    deleted = book(meet_service, maria, berlin(monday, 15), who="Deleted")
    settle()
    sync_now(connected)  # our own inserts come back: nothing is reported
    one = Meeting.objects.get(appointment=moved.appointment)
    other = Meeting.objects.get(appointment=deleted.appointment)
    assert one.changed_elsewhere_at is None and other.changed_elsewhere_at is None

    later = berlin(monday, 10)
    google.control.user_patches_event(
        MARIA,
        one.external_id,
        {
            "start": {"dateTime": later.isoformat(), "timeZone": "Europe/Berlin"},
            "end": {"dateTime": (later + timedelta(minutes=30)).isoformat(), "timeZone": "Europe/Berlin"},
        },
    )
    google.control.user_deletes_event(MARIA, other.external_id)
    sync_now(connected)

    one.refresh_from_db()
    other.refresh_from_db()
    assert one.state == Meeting.State.READY and one.provider_start == later and one.changed_elsewhere_at
    assert other.state == Meeting.State.DELETED and "deleted in Google Meet by its host" in other.last_error
    assert other.changed_elsewhere_at is not None


def test_a_meet_meeting_moved_to_another_staff_member_is_made_on_their_calendar_and_the_old_one_goes(
    google, connected, alice, maria, jonas, monday, smtp_server
):
    install_default_workflows(alice)
    connections.connect_with_grant(jonas, grant_from_consent(google, JONAS_EMAIL))
    service = make_service(
        alice, maria, jonas, name="Meet call", duration_minutes=30, video_provider="google_meet"
    )
    booking = book(service, maria, berlin(monday, 10), who="Dora")
    settle()
    old = Meeting.objects.get(appointment=booking.appointment)
    assert old.state == Meeting.State.READY and old.provider == "google_meet"
    address = booking.customer.email
    before = len(smtp_server.to(address))

    services.reschedule_booking(booking, start=booking.appointment.start, staff=jonas)
    settle()

    new = Meeting.objects.get(appointment=booking.appointment)
    assert new.state == Meeting.State.READY and new.provider == "google_meet"
    assert new.external_id != old.external_id and new.join_url != old.join_url
    # One live Meet event for the appointment, on Jonas's calendar; Maria's is gone.
    [event] = meet_events(google, booking.appointment)
    assert event["id"] == new.external_id and event["organizer"]["email"] == JONAS_EMAIL
    retired = RetiredMeeting.objects.get(appointment=booking.appointment)
    assert retired.external_id == old.external_id and retired.state == RetiredMeeting.State.DELETED
    # Dora is sent the new link and nothing sent since carries the old one.
    since = [plain_text(message) for message in smtp_server.to(address)[before:]]
    assert since and new.join_url in since[-1]
    assert all(old.join_url not in text for text in since)
