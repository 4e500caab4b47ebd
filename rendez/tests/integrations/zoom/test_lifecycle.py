"""The meeting lifecycle end to end: bookings made through scheduling/services.py, sync jobs run by the
real worker, Zoom played by the emulator over HTTP. Each test asserts the exact Zoom calls made."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.scheduling import services
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import customer, make_service
from rendez.tests.integrations.zoom.fixtures import JONAS, MARIA, connect_staff, settle

BERLIN = ZoneInfo("Europe/Berlin")
MEETING_CALLS = ("/v2/users", "/v2/meetings")


def a_monday(weeks: int = 2) -> datetime:
    today = timezone.now().astimezone(BERLIN).date()
    day = today + timedelta(days=7 - today.weekday()) + timedelta(weeks=weeks)
    return datetime.combine(day, time(10), tzinfo=BERLIN)


def meeting_calls(zoom) -> list[tuple[str, str, Any]]:
    """(method, path, body) of every meeting call Zoom received, settings reads left out."""
    calls = []
    for entry in zoom.control.requests():
        path = entry["path"]
        if "/meetings" in path and path.startswith(MEETING_CALLS):
            calls.append((entry["method"], path, entry.get("body")))
    return calls


def delete_on_zoom(zoom, external_id: str) -> None:
    """The host deletes the meeting in Zoom's own pages."""
    from zoom_emulator.meetings import delete_meeting

    delete_meeting(zoom.emulator, int(external_id), None)


@pytest.fixture
def video(alice, maria):
    tenant_settings.update(alice, {"enabled": True})
    return make_service(alice, maria, name="Video consultation", duration_minutes=30, zoom_enabled=True)


@pytest.fixture
def hosted(api, zoom, maria):
    return connect_staff(api, zoom, maria, MARIA)


def book(service, staff, start, who="Charlie", **kwargs) -> Booking:
    return services.book(service=service, staff=staff, start=start, customer=customer(who), **kwargs)


def test_a_confirmed_video_booking_gets_one_meeting(zoom, hosted, video, maria):
    zoom.control.clear_requests()
    booking = book(video, maria, a_monday())
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY
    assert meeting.join_url and meeting.external_id and meeting.password
    calls = meeting_calls(zoom)
    assert [(method, path) for method, path, _ in calls] == [("POST", "/v2/users/me/meetings")]
    body = calls[0][2]
    assert body["start_time"] == booking.appointment.start.astimezone(ZoneInfo("UTC")).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert body["timezone"] == "Europe/Berlin" and body["duration"] == 30
    assert body["topic"] == "Video consultation with Maria Koch"


def test_a_reschedule_sends_one_patch_with_only_the_start(zoom, hosted, video, maria):
    booking = book(video, maria, a_monday())
    settle()
    zoom.control.clear_requests()

    services.reschedule_booking(booking, start=a_monday() + timedelta(hours=2))
    settle()

    calls = meeting_calls(zoom)
    assert [(method, path.split("/")[2]) for method, path, _ in calls] == [("PATCH", "meetings")]
    assert set(calls[0][2]) == {"start_time", "timezone"}


def test_cancelling_the_only_booking_deletes_the_meeting(zoom, hosted, video, maria):
    booking = book(video, maria, a_monday())
    settle()
    external_id = Meeting.objects.get().external_id
    zoom.control.clear_requests()

    services.cancel_booking(booking)
    settle()

    assert [(method, path) for method, path, _ in meeting_calls(zoom)] == [
        ("DELETE", f"/v2/meetings/{external_id}")
    ]
    assert Meeting.objects.get().state == Meeting.State.DELETED


def test_a_group_session_shares_one_meeting_until_its_last_seat_goes(zoom, hosted, alice, maria):
    tenant_settings.update(alice, {"enabled": True})
    group = make_service(alice, maria, name="Workshop", duration_minutes=60, capacity=5, zoom_enabled=True)
    start = a_monday()
    bookings = [book(group, maria, start, who) for who in ("Ada", "Bo", "Cy", "Di", "Ed")]
    settle()

    links = {Meeting.objects.get(appointment=b.appointment).join_url for b in bookings}
    assert len(links) == 1
    assert [method for method, _, _ in meeting_calls(zoom)] == ["POST"]
    for booking in bookings[:4]:
        services.cancel_booking(booking)
        settle()
    assert [method for method, _, _ in meeting_calls(zoom)] == ["POST"]
    services.cancel_booking(bookings[4])
    settle()
    assert [method for method, _, _ in meeting_calls(zoom)] == ["POST", "DELETE"]


def test_moving_to_another_staff_member_deletes_and_creates_on_the_new_host(
    api, zoom, hosted, video, maria, jonas
):
    connect_staff(api, zoom, jonas, JONAS)
    video.staff.add(jonas)
    booking = book(video, maria, a_monday())
    settle()
    zoom.control.clear_requests()

    services.reschedule_booking(booking, start=booking.appointment.start, staff=jonas)
    settle()

    # Replace, then retire: the new meeting exists before the old one goes.
    assert [method for method, _, _ in meeting_calls(zoom)] == ["POST", "DELETE"]
    meeting = Meeting.objects.get(appointment=Booking.objects.get(pk=booking.pk).appointment)
    assert meeting.state == Meeting.State.READY and meeting.host_user_key == JONAS


@pytest.mark.parametrize("case", ["pending", "in_person", "toggle_off", "integration_off"])
def test_no_meeting_is_made_when_none_is_owed(zoom, hosted, video, maria, alice, case):
    if case == "pending":
        video.initial_status = "pending"
    if case == "in_person":
        video.zoom_enabled, video.location_type = False, "in_person"
    if case == "toggle_off":
        video.zoom_enabled = False
    video.save()
    if case == "integration_off":
        tenant_settings.update(alice, {"enabled": False})
    zoom.control.clear_requests()

    book(video, maria, a_monday())
    settle()

    assert meeting_calls(zoom) == []
    assert not Meeting.objects.exists()


def test_a_staff_member_without_zoom_gets_a_failed_meeting_that_says_why(
    zoom, video, alice, nina, mailoutbox
):
    video.staff.add(nina)
    booking = book(video, nina, a_monday())
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.FAILED
    assert "Nina has no Zoom account connected" in meeting.last_error
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED
    assert meeting_calls(zoom) == []


def test_a_meeting_deleted_on_zoom_is_made_again_when_the_appointment_moves(zoom, hosted, video, maria):
    booking = book(video, maria, a_monday())
    settle()
    first = Meeting.objects.get()
    delete_on_zoom(zoom, first.external_id)
    zoom.control.clear_requests()

    services.reschedule_booking(booking, start=a_monday() + timedelta(hours=1))
    settle()

    again = Meeting.objects.get()
    assert again.state == Meeting.State.READY and again.external_id != first.external_id
    assert [method for method, _, _ in meeting_calls(zoom)] == ["PATCH", "POST"]


def test_an_outage_longer_than_the_retries_leaves_a_retrying_meeting_that_keeps_being_tried(
    zoom, hosted, video, maria
):
    from rendez.conferencing import reconcile
    from rendez.jobs.models import Job

    booking = book(video, maria, a_monday())
    appointment_id = booking.appointment_id
    Job.objects.filter(kind="conferencing.sync").delete()
    zoom.control.set_faults(paths=["/v2/users/me/meetings"], error_rate=1.0, error_kind="503")

    assert reconcile.sync(appointment_id, last_attempt=True) == "retrying"

    meeting = Meeting.objects.get(appointment_id=appointment_id)
    assert meeting.state == Meeting.State.RETRYING
    assert "keeps trying every 15 minutes" in meeting.last_error
    (again,) = Job.objects.filter(kind="conferencing.sync", state=Job.State.PENDING)
    assert timedelta(minutes=14) < again.run_after - timezone.now() <= timedelta(minutes=15)
    assert meeting.next_attempt_at is not None
    assert meeting.next_attempt_at == again.run_after

    zoom.control.clear_faults()
    Job.objects.filter(pk=again.pk).update(run_after=timezone.now())
    settle()
    assert Meeting.objects.get(appointment_id=appointment_id).state == Meeting.State.READY


def test_a_pending_booking_gets_a_meeting_when_the_tenant_chose_so_and_loses_it_when_rejected(
    zoom, hosted, video, maria, alice
):
    alice.meetings_for_pending = True
    alice.save(update_fields=["meetings_for_pending"])
    video.initial_status = "pending"
    video.save(update_fields=["initial_status"])
    zoom.control.clear_requests()

    booking = book(video, maria, a_monday())
    settle()
    services.set_status(booking, Booking.Status.REJECTED)
    settle()

    assert [method for method, _, _ in meeting_calls(zoom)] == ["POST", "DELETE"]
    assert Meeting.objects.get().state == Meeting.State.DELETED


def test_templates_are_rendered_at_creation_only(zoom, hosted, video, maria, alice):
    tenant_settings.update(alice, {"topic_template": "{service_name} · {customer_name}"})
    booking = book(video, maria, a_monday(), "Ada")
    settle()
    tenant_settings.update(alice, {"topic_template": "Changed {service_name}"})
    zoom.control.clear_requests()

    services.reschedule_booking(booking, start=a_monday() + timedelta(hours=1))
    settle()

    (patch,) = meeting_calls(zoom)
    assert "topic" not in patch[2]
    assert Meeting.objects.get().topic == "Video consultation · Ada"


def test_a_completed_session_keeps_its_meeting(zoom, hosted, video, maria):
    booking = book(video, maria, a_monday())
    settle()
    zoom.control.clear_requests()

    # Marked completed during the session (the services take the clock as an argument).
    services.set_status(
        booking, Booking.Status.COMPLETED, now=booking.appointment.start + timedelta(minutes=20)
    )
    settle()

    assert meeting_calls(zoom) == []
    assert Meeting.objects.get().state == Meeting.State.READY
