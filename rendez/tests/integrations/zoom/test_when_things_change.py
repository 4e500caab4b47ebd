"""The link a person holds is the meeting, through every change (issue 14, items 1 to 4).

Bookings go through scheduling/services.py, every job is run by the real worker, Zoom is the emulator over
HTTP, email arrives at a real SMTP server. Each test checks Zoom's own records (the emulator's meetings and
its request log) and the messages people received: the last link anyone was sent is the live meeting's, and
the states Rendez shows are true.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rendez.conferencing.models import Meeting, RetiredMeeting
from rendez.integrations.zoom import connections, tenant_settings
from rendez.integrations.zoom.models import Connection
from rendez.jobs.models import Job
from rendez.notifications.defaults import install_default_workflows
from rendez.notifications.tests.fixtures import invitation_of, plain_text
from rendez.scheduling import catalog, services
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.zoom.fixtures import (
    JONAS,
    JONAS_EMAIL,
    LEA,
    MARIA,
    MARIA_EMAIL,
    connect_staff,
    connect_tenant,
    settle,
)
from rendez.tests.integrations.zoom.test_lifecycle import a_monday, book, meeting_calls
from zoom_emulator import meetings as zoom_meetings

CHARLIE = "charlie@example.com"


@pytest.fixture
def mail(request):
    """Rendez's email, received over SMTP."""
    return request.getfixturevalue("smtp_server")


@pytest.fixture
def video(alice, maria):
    tenant_settings.update(alice, {"enabled": True})
    return make_service(alice, maria, name="Video consultation", duration_minutes=30, zoom_enabled=True)


@pytest.fixture
def workflows(alice):
    return install_default_workflows(alice)


def live_meetings(zoom) -> dict[str, Any]:
    """Zoom's own record: every meeting that exists there, by id."""
    return {str(meeting_id): meeting for meeting_id, meeting in zoom.emulator.state.meetings.items()}


def links_in(message) -> list[str]:
    text = plain_text(message)
    return [word for word in text.split() if "/j/" in word]


def last_link_sent(mail, address: str) -> tuple[str, Any]:
    """The join link of the last message to `address` that carried one, and that message."""
    carrying = [message for message in mail.to(address) if links_in(message)]
    assert carrying, f"no message to {address} carried a link"
    message = carrying[-1]
    return links_in(message)[-1], message


def location_and_sequence(message) -> tuple[str, int]:
    calendar, _ = invitation_of(message)
    [event] = calendar.events
    return event.location or "", event.sequence or 0


def the_meeting(booking) -> Meeting:
    return Meeting.objects.get(appointment_id=booking.appointment_id)


def meeting_shown(api, booking) -> dict[str, Any]:
    return api.get(f"/appointments/{booking.appointment_id}").json()["meeting"]


# --- 1. a staff change sends the new link, never the deleted one --------------------------------------------


@pytest.fixture
def booked_with_maria(zoom, api, video, maria, jonas, workflows, mail):
    """Maria and Jonas each connected their own Zoom; Charlie booked Maria, whose meeting is ready."""
    connect_staff(api, zoom, maria, MARIA)
    connect_staff(api, zoom, jonas, JONAS)
    video.staff.add(jonas)
    booking = book(video, maria, a_monday())
    settle()
    return booking


def test_moving_to_another_staff_member_sends_everyone_the_new_link_and_never_the_old(
    zoom, booked_with_maria, jonas, mail
):
    booking = booked_with_maria
    old = the_meeting(booking)
    confirmation_link, confirmation = last_link_sent(mail, CHARLIE)
    assert confirmation_link == old.join_url
    zoom.control.clear_requests()
    before = len(mail.to(CHARLIE))

    services.reschedule_booking(booking, start=booking.appointment.start, staff=jonas)
    settle()

    new = the_meeting(booking)
    assert new.external_id != old.external_id and new.state == Meeting.State.READY
    # Replace, then retire: made on Jonas, then Maria's deleted; Zoom has exactly the new one.
    assert [(method, path) for method, path, _ in meeting_calls(zoom)] == [
        ("POST", "/v2/users/me/meetings"),
        ("DELETE", f"/v2/meetings/{old.external_id}"),
    ]
    assert set(live_meetings(zoom)) == {new.external_id}
    assert live_meetings(zoom)[new.external_id].host_id == JONAS
    # Nothing sent after the move carries the deleted meeting's link.
    after = mail.to(CHARLIE)[before:]
    assert after and all(old.join_url not in plain_text(message) for message in after)
    link, message = last_link_sent(mail, CHARLIE)
    assert link == new.join_url and new.password in plain_text(message)
    location, sequence = location_and_sequence(message)
    assert location == new.join_url and sequence > location_and_sequence(confirmation)[1]
    # The new host starts it from Rendez's start link (which opens the live meeting); nothing of the old
    # meeting reaches them, and the one it was taken from holds nothing of the new one.
    to_jonas = [plain_text(m) for m in mail.to(JONAS_EMAIL)]
    start_path = f"/panel/appointments/{booking.appointment_id}/start-meeting/"
    assert any(start_path in text for text in to_jonas)
    assert all(old.join_url not in text and old.password not in text for text in to_jonas)
    to_maria = [plain_text(m) for m in mail.to(MARIA_EMAIL)]
    assert all(new.join_url not in text and new.password not in text for text in to_maria)
    assert RetiredMeeting.objects.get().state == RetiredMeeting.State.DELETED


def test_a_message_about_the_move_waits_for_the_new_meeting_instead_of_showing_the_old_one(
    api, booked_with_maria, jonas
):
    booking = booked_with_maria
    old = the_meeting(booking)

    services.reschedule_booking(booking, start=booking.appointment.start, staff=jonas)
    # Before the sync runs, the old meeting is no longer shown as the appointment's.
    shown = meeting_shown(api, booking)
    assert (shown["state"], shown["join_url"], shown["password"]) == ("pending", None, None)
    assert Client().get(f"/manage/{booking.manage_token}").content.decode().count(old.join_url) == 0

    settle()
    assert meeting_shown(api, booking)["join_url"] == the_meeting(booking).join_url


# --- 2. a meeting deleted in Zoom and remade is announced to everyone ---------------------------------------


def test_a_meeting_remade_after_a_deletion_in_zoom_is_sent_to_the_customer_with_a_new_invitation(
    zoom, inbox, api, video, maria, workflows, mail
):
    connect_staff(api, zoom, maria, MARIA)
    booking = book(video, maria, a_monday())
    settle()
    old = the_meeting(booking)
    _, confirmation = last_link_sent(mail, CHARLIE)
    assert zoom.control.wait_for_webhooks()
    inbox.received.clear()

    zoom_meetings.delete_meeting(zoom.emulator, int(old.external_id), None)  # in Zoom's own pages
    assert zoom.control.wait_for_webhooks()
    [index] = [n for n, name in enumerate(inbox.events()) if name == "meeting.deleted"]
    assert inbox.replay(Client(), index).status_code == 204
    settle()
    assert api.post(f"/appointments/{booking.appointment_id}/meeting/sync").status_code == 202
    settle()

    new = the_meeting(booking)
    assert new.state == Meeting.State.READY and new.external_id != old.external_id
    assert set(live_meetings(zoom)) == {new.external_id}
    link, message = last_link_sent(mail, CHARLIE)
    assert link == new.join_url and new.password in plain_text(message)
    assert "no longer work" in plain_text(message)
    location, sequence = location_and_sequence(message)
    assert location == new.join_url and sequence > location_and_sequence(confirmation)[1]
    assert last_link_sent(mail, MARIA_EMAIL)[0] == new.join_url


# --- 3. reconnecting verifies; remapping moves and tells ----------------------------------------------------


def test_reconnecting_the_same_zoom_user_verifies_each_meeting_and_makes_none(zoom, api, video, maria, mail):
    connect_staff(api, zoom, maria, MARIA)
    first, second = book(video, maria, a_monday()), book(video, maria, a_monday(weeks=3), who="Dana")
    settle()
    ids = {the_meeting(first).external_id, the_meeting(second).external_id}
    zoom.control.clear_requests()

    connect_staff(api, zoom, maria, MARIA)  # reconnect: a new grant for the same Zoom user
    settle()

    assert sorted(method for method, _, _ in meeting_calls(zoom)) == ["GET", "GET"]
    assert set(live_meetings(zoom)) == ids
    assert {the_meeting(first).external_id, the_meeting(second).external_id} == ids


def test_reconnecting_remakes_only_the_meetings_that_are_gone_and_tells_their_people(
    zoom, api, video, maria, workflows, mail
):
    connect_staff(api, zoom, maria, MARIA)
    kept, lost = book(video, maria, a_monday()), book(video, maria, a_monday(weeks=3), who="Dana")
    settle()
    gone = the_meeting(lost).external_id
    zoom_meetings.delete_meeting(zoom.emulator, int(gone), None)  # no event reaches Rendez meanwhile
    zoom.control.clear_requests()

    connect_staff(api, zoom, maria, MARIA)
    settle()

    calls = [(method, path) for method, path, _ in meeting_calls(zoom)]
    assert sorted(calls) == sorted(
        [
            ("GET", f"/v2/meetings/{the_meeting(kept).external_id}"),
            ("GET", f"/v2/meetings/{gone}"),
            ("POST", "/v2/users/me/meetings"),
        ]
    )
    remade = the_meeting(lost)
    assert remade.external_id != gone and set(live_meetings(zoom)) == {
        the_meeting(kept).external_id,
        remade.external_id,
    }
    assert last_link_sent(mail, "dana@example.com")[0] == remade.join_url


def test_reconnecting_the_business_and_remapping_leaves_one_meeting_and_the_customer_holds_it(
    zoom, api, alice, video, nina, workflows, mail
):
    """The reported chain: a tenant connection, a reconnect, then a remap to another Zoom user."""
    video.staff.add(nina)
    connect_tenant(api, zoom, alice, MARIA)
    assert api.put(f"/staff/{nina.pk}/zoom", {"zoom_user_id": LEA}).status_code == 200
    booking = book(video, nina, a_monday())
    settle()
    first = the_meeting(booking)

    connect_tenant(api, zoom, alice, MARIA)  # reconnect the business's Zoom
    settle()
    assert the_meeting(booking).external_id == first.external_id
    assert api.put(f"/staff/{nina.pk}/zoom", {"zoom_user_id": JONAS}).status_code == 200
    settle()

    now = the_meeting(booking)
    assert set(live_meetings(zoom)) == {now.external_id}
    assert live_meetings(zoom)[now.external_id].host_id == JONAS
    assert last_link_sent(mail, CHARLIE)[0] == now.join_url
    start = api.get(f"/appointments/{booking.appointment_id}/meeting/start")
    assert start.status_code == 302 and now.external_id in start["Location"]


# --- 4. states that are true --------------------------------------------------------------------------------


def test_a_cancelled_booking_of_a_disconnected_host_is_deleted_through_the_business_account(
    zoom, api, alice, video, nina
):
    """Nina hosts as Lea through the business's account and also connected Lea personally, then disconnected
    it: the business's connection still reaches Lea's meetings."""
    video.staff.add(nina)
    connect_tenant(api, zoom, alice, MARIA)
    assert api.put(f"/staff/{nina.pk}/zoom", {"zoom_user_id": LEA}).status_code == 200
    booking = book(video, nina, a_monday())
    settle()
    meeting = the_meeting(booking)
    # The business's connection breaks (say, its grant was revoked) and a personal one is gone.
    assert meeting.host_connection_id is not None
    Connection.objects.filter(pk=meeting.host_connection_id).update(status="needs_reconnect")
    services.cancel_booking(booking)
    settle()

    assert meeting.external_id in live_meetings(zoom)
    shown = meeting_shown(api, booking)
    assert shown["state"] == "left_on_zoom" and shown["join_url"] is None
    assert "could not be deleted" in shown["last_error"] and "lea." in shown["last_error"]
    left = RetiredMeeting.objects.get()
    assert (left.state, left.external_id) == (RetiredMeeting.State.LEFT, meeting.external_id)

    # Reconnected: the left meeting is deleted at last.
    connect_tenant(api, zoom, alice, MARIA)
    settle()
    assert meeting.external_id not in live_meetings(zoom)
    assert meeting_shown(api, booking)["state"] == "deleted"
    assert RetiredMeeting.objects.get().state == RetiredMeeting.State.DELETED


def test_a_cancelled_booking_never_shows_ready_before_its_delete(zoom, api, video, maria):
    connect_staff(api, zoom, maria, MARIA)
    booking = book(video, maria, a_monday())
    settle()
    services.cancel_booking(booking)

    assert meeting_shown(api, booking)["state"] == "deleting"
    settle()
    assert meeting_shown(api, booking)["state"] == "deleted"


def test_a_zoom_outage_shows_retrying_with_the_reason_and_the_next_attempt(zoom, api, video, maria):
    connect_staff(api, zoom, maria, MARIA)
    zoom.control.set_faults(paths=["/v2/users/me/meetings"], error_rate=1.0, error_kind="500")
    booking = book(video, maria, a_monday())
    settle()

    shown = meeting_shown(api, booking)
    assert shown["state"] == "retrying" and shown["join_url"] is None
    assert "Zoom could not make the meeting just now" in shown["last_error"]
    job = Job.objects.get(kind="conferencing.sync", state=Job.State.PENDING)
    next_attempt = the_meeting(booking).next_attempt_at
    assert shown["next_attempt_at"] is not None and next_attempt is not None
    assert next_attempt == job.run_after  # one instant: the job's, as the record says it

    zoom.control.clear_faults()
    assert api.post(f"/appointments/{booking.appointment_id}/meeting/sync").status_code == 202
    Job.objects.filter(pk=job.pk).update(run_after=job.created_at)
    settle()
    shown = meeting_shown(api, booking)
    assert (shown["state"], shown["last_error"], shown["next_attempt_at"]) == ("ready", None, None)


def test_moving_to_a_colleague_without_zoom_deletes_the_old_meeting_and_says_why(
    zoom, api, video, maria, nina
):
    connect_staff(api, zoom, maria, MARIA)
    video.staff.add(nina)
    booking = book(video, maria, a_monday())
    settle()
    old = the_meeting(booking)

    services.reschedule_booking(booking, start=booking.appointment.start, staff=nina)
    settle()

    assert old.external_id not in live_meetings(zoom)
    shown = meeting_shown(api, booking)
    assert shown["state"] == "failed" and shown["join_url"] is None
    assert "Nina" in shown["last_error"]


def test_remapping_retires_the_old_meeting_after_the_new_one_and_connections_verify_first(
    zoom, api, alice, video, nina
):
    """The exact calls of a remap: the new meeting on the new user, then the old one deleted."""
    video.staff.add(nina)
    connect_tenant(api, zoom, alice, MARIA)
    connections.map_staff(nina, LEA)
    booking = book(video, nina, a_monday())
    settle()
    old = the_meeting(booking)
    zoom.control.clear_requests()

    connections.map_staff(nina, JONAS)
    settle()

    new = the_meeting(booking)
    calls = [(method, path) for method, path, _ in meeting_calls(zoom)]
    assert calls == [
        ("POST", f"/v2/users/{JONAS}/meetings"),
        ("DELETE", f"/v2/meetings/{old.external_id}"),
    ]
    assert set(live_meetings(zoom)) == {new.external_id}


# --- the integration or a service's video turned off and on -------------------------------------------------


@pytest.mark.parametrize("switch", ["integration", "service"])
def test_bookings_made_while_video_was_off_get_their_meeting_when_it_is_turned_on(
    zoom, api, alice, video, maria, workflows, mail, switch
):
    connect_staff(api, zoom, maria, MARIA)
    kept = book(video, maria, a_monday())
    settle()

    def turn(on: bool) -> None:
        if switch == "integration":
            tenant_settings.update(alice, {"enabled": on})
        else:
            catalog.update_service(video, catalog.ServiceChanges(zoom_enabled=on))

    turn(False)
    waiting = book(video, maria, a_monday(weeks=3), who="Dana")
    settle()
    assert not Meeting.objects.filter(appointment_id=waiting.appointment_id).exists()
    # Turning it off left the existing meeting alone.
    assert the_meeting(kept).external_id in live_meetings(zoom)

    turn(True)
    settle()

    made = the_meeting(waiting)
    assert made.state == Meeting.State.READY and set(live_meetings(zoom)) == {
        the_meeting(kept).external_id,
        made.external_id,
    }
    assert last_link_sent(mail, "dana@example.com")[0] == made.join_url


def test_disconnecting_a_personal_zoom_moves_the_meetings_to_the_business_mapping(
    zoom, api, alice, video, maria, workflows, mail
):
    """Maria hosted with her own Zoom; the business maps her to Lea. Once she disconnects, her meetings move
    to Lea: made there, the old one deleted through the business's account, Charlie sent the new link."""
    connect_staff(api, zoom, maria, MARIA)
    booking = book(video, maria, a_monday())
    settle()
    old = the_meeting(booking)
    connect_tenant(api, zoom, alice, JONAS)  # Maria's Zoom user is hers: the account's other admin connects
    connections.map_staff(maria, LEA)
    settle()
    assert the_meeting(booking).external_id == old.external_id  # the personal connection still wins

    assert api.delete(f"/staff/{maria.pk}/zoom").status_code == 204
    settle()

    new = the_meeting(booking)
    assert new.external_id != old.external_id and set(live_meetings(zoom)) == {new.external_id}
    assert live_meetings(zoom)[new.external_id].host_id == LEA
    assert last_link_sent(mail, CHARLIE)[0] == new.join_url


# --- changing an appointment's service (issue 15, item 5; the invariant's "service change") ----------------


def test_a_service_change_moves_the_meetings_duration_and_topic_and_says_so(
    zoom, api, alice, video, maria, workflows, mail
):
    connect_staff(api, zoom, maria, MARIA)
    longer = make_service(
        alice,
        maria,
        name="Long video session",
        duration_minutes=60,
        zoom_enabled=True,
        slot_interval_minutes=30,
    )
    booking = book(video, maria, a_monday())
    settle()
    meeting = the_meeting(booking)
    zoom.control.clear_requests()

    response = api.post(
        f"/bookings/{booking.pk}/reschedule",
        {"start": booking.appointment.start.isoformat(), "service_id": longer.pk},
    )
    settle()

    assert response.status_code == 200, response.content
    assert response.json()["service_id"] == longer.pk
    [(method, path, body)] = meeting_calls(zoom)
    assert (method, path) == ("PATCH", f"/v2/meetings/{meeting.external_id}")
    assert body["duration"] == 60 and "Long video session" in body["topic"]
    assert the_meeting(booking).external_id == meeting.external_id  # same meeting, same link
    moved = [message for message in mail.to(CHARLIE) if "Long video session" in plain_text(message)]
    assert moved and meeting.join_url in plain_text(moved[-1])


def test_a_service_change_to_one_without_video_deletes_the_meeting_and_back_makes_one(
    zoom, api, alice, video, maria
):
    connect_staff(api, zoom, maria, MARIA)
    in_person = make_service(
        alice, maria, name="At the studio", duration_minutes=30, location_type="in_person"
    )
    booking = book(video, maria, a_monday())
    settle()
    old = the_meeting(booking)
    start = booking.appointment.start.isoformat()

    assert (
        api.post(
            f"/bookings/{booking.pk}/reschedule", {"start": start, "service_id": in_person.pk}
        ).status_code
        == 200
    )
    settle()
    assert live_meetings(zoom) == {} and meeting_shown(api, booking)["state"] == "deleted"

    assert (
        api.post(f"/bookings/{booking.pk}/reschedule", {"start": start, "service_id": video.pk}).status_code
        == 200
    )
    settle()
    new = the_meeting(booking)
    assert new.state == Meeting.State.READY and set(live_meetings(zoom)) == {new.external_id} != {
        old.external_id
    }


def test_a_service_of_another_business_is_not_found(api, bob, video, maria):
    from rendez.scheduling.tests.factories import make_staff

    theirs = make_service(bob, make_staff(bob, "Bea"), name="Theirs")
    booking = book(video, maria, a_monday())
    response = api.post(
        f"/bookings/{booking.pk}/reschedule",
        {"start": booking.appointment.start.isoformat(), "service_id": theirs.pk},
    )
    assert response.status_code == 404
    assert Booking.objects.get().appointment.service_id == video.pk
