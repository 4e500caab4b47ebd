"""Per-attendee links end to end: group bookings through scheduling/services.py, the sync run by the real
worker, Zoom played by the emulator over HTTP. Each test asserts the exact registrant calls from the
emulator's log: each seat is added once, cancelled with its seat, looked up (never added again) after a lost
answer, and the meeting is deleted only with the last seat. A host who cannot use registration falls back to
the shared link, and the panel says so.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
import pytest
from django.test import Client
from django.utils import timezone

from rendez.conferencing.models import Meeting, Registrant
from rendez.conferencing.queries import meeting_coming, meeting_view
from rendez.integrations.zoom import tenant_settings
from rendez.jobs.models import Job
from rendez.notifications.defaults import install_default_workflows
from rendez.notifications.tests.fixtures import plain_text
from rendez.scheduling import events, services
from rendez.scheduling.models import Booking, Service
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.zoom.fixtures import JONAS, MARIA, connect_staff, settle
from rendez.tests.integrations.zoom.test_lifecycle import a_monday, book
from rendez.web.panel.tests.fixtures import signed_in

REGISTRATION = {
    "approval_type": 0,
    "registrants_confirmation_email": False,
    "registrants_email_notification": False,
}


@pytest.fixture
def group(alice, maria):
    tenant_settings.update(alice, {"enabled": True})
    return make_service(
        alice,
        maria,
        name="Group class",
        duration_minutes=60,
        capacity=10,
        zoom_enabled=True,
        per_attendee_links=True,
    )


@pytest.fixture
def hosted(api, zoom, maria):
    return connect_staff(api, zoom, maria, MARIA)


def registrant_calls(zoom) -> list[tuple[str, str, Any]]:
    """(method, path with the meeting id as {id}, body) of every meeting and registrant call Zoom received."""
    calls = []
    for entry in zoom.control.requests():
        path: str = entry["path"]
        if not path.startswith("/v2/meetings/") and not path.endswith("/meetings"):
            continue
        parts = path.split("/")
        if len(parts) > 3 and parts[2] == "meetings":
            parts[3] = "{id}"
        calls.append((entry["method"], "/".join(parts), entry.get("body")))
    return calls


def personal_link(booking: Booking) -> str:
    """The link the booking's customer is shown ("" when none)."""
    booking.refresh_from_db()
    view = meeting_view(booking.appointment, booking)
    return (view.join_url or "") if view is not None else ""


def test_each_seat_is_added_once_and_gets_its_own_link(zoom, hosted, group, maria):
    zoom.control.clear_requests()
    start = a_monday()
    seats = [book(group, maria, start, who=name) for name in ("Ann", "Ben", "Cleo")]
    settle()

    meeting = Meeting.objects.get(appointment=seats[0].appointment)
    assert meeting.state == Meeting.State.READY and meeting.registration == Meeting.Registration.ON
    calls = registrant_calls(zoom)
    assert [(method, path) for method, path, _ in calls] == [
        ("POST", "/v2/users/me/meetings"),
        ("POST", "/v2/meetings/{id}/registrants"),
        ("POST", "/v2/meetings/{id}/registrants"),
        ("POST", "/v2/meetings/{id}/registrants"),
    ]
    assert calls[0][2]["settings"] == REGISTRATION
    assert [body for _, _, body in calls[1:]] == [
        {"email": "ann@example.com", "first_name": "Ann", "last_name": ""},
        {"email": "ben@example.com", "first_name": "Ben", "last_name": ""},
        {"email": "cleo@example.com", "first_name": "Cleo", "last_name": ""},
    ]
    links = [personal_link(seat) for seat in seats]
    assert len(set(links)) == 3 and meeting.join_url not in links
    on_zoom = {r.email: r for r in zoom.emulator.state.registrants.values()}
    for seat, link in zip(seats, links, strict=True):
        row = Registrant.objects.get(booking=seat)
        assert link == row.join_url and row.state == Registrant.State.REGISTERED
        assert on_zoom[seat.customer.email].id == row.registrant_id
        # Kept encrypted at rest, like tokens.
        assert link not in row.join_url_encrypted
    # Staff and the appointment see the meeting's shared link.
    shared = meeting_view(seats[0].appointment)
    assert shared is not None and shared.join_url == meeting.join_url


def test_the_api_gives_a_booking_its_own_link_and_the_appointment_the_shared_one(
    zoom, hosted, group, maria, api
):
    start = a_monday()
    ann, ben = book(group, maria, start, who="Ann"), book(group, maria, start, who="Ben")
    settle()

    ann_link = api.get(f"/bookings/{ann.pk}").json()["meeting"]["join_url"]
    ben_link = api.get(f"/bookings/{ben.pk}").json()["meeting"]["join_url"]
    shared = api.get(f"/appointments/{ann.appointment_id}").json()["meeting"]["join_url"]
    assert ann_link == personal_link(ann) and ben_link == personal_link(ben)
    assert len({ann_link, ben_link, shared}) == 3


def test_cancelling_seats_cancels_their_registrants_and_the_last_seat_deletes_the_meeting(
    zoom, hosted, group, maria
):
    start = a_monday()
    ann, ben, cleo = (book(group, maria, start, who=name) for name in ("Ann", "Ben", "Cleo"))
    settle()
    ben_id = Registrant.objects.get(booking=ben).registrant_id
    ann_link, cleo_link = personal_link(ann), personal_link(cleo)
    zoom.control.clear_requests()

    services.cancel_booking(ben)
    settle()

    assert [(m, p, b) for m, p, b in registrant_calls(zoom)] == [
        (
            "PUT",
            "/v2/meetings/{id}/registrants/status",
            {"action": "cancel", "registrants": [{"id": ben_id, "email": "ben@example.com"}]},
        )
    ]
    assert Registrant.objects.get(booking=ben).state == Registrant.State.CANCELLED
    assert (personal_link(ann), personal_link(cleo)) == (ann_link, cleo_link)
    assert zoom.emulator.state.registrants[ben_id].status == "cancelled"

    zoom.control.clear_requests()
    services.cancel_booking(ann)
    settle()
    ann_id = Registrant.objects.get(booking=ann).registrant_id
    assert [(m, p) for m, p, _ in registrant_calls(zoom)] == [("PUT", "/v2/meetings/{id}/registrants/status")]
    assert registrant_calls(zoom)[0][2]["registrants"] == [{"id": ann_id, "email": "ann@example.com"}]

    zoom.control.clear_requests()
    services.cancel_booking(cleo)
    settle()
    # The last seat: the meeting goes, and its registrants with it (no call per registrant).
    assert [(m, p) for m, p, _ in registrant_calls(zoom)] == [("DELETE", "/v2/meetings/{id}")]
    assert set(Registrant.objects.values_list("state", flat=True)) == {Registrant.State.CANCELLED}


def test_a_lost_add_answer_is_looked_up_and_adopted_not_added_again(zoom, hosted, group, maria):
    start = a_monday()
    ann = book(group, maria, start, who="Ann")
    settle()
    row = Registrant.objects.get(booking=ann)
    registrant_id, link = row.registrant_id, row.join_url
    # As if the add reached Zoom but its answer never came back: the attempt is recorded, nothing else.
    Registrant.objects.filter(pk=row.pk).update(
        state=Registrant.State.PENDING,
        registrant_id="",
        join_url_encrypted="",
        attempt_started_at=timezone.now(),
    )
    zoom.control.clear_requests()

    events.appointment_changed(ann.appointment)
    settle()

    calls = registrant_calls(zoom)
    assert [(m, p) for m, p, _ in calls] == [("GET", "/v2/meetings/{id}/registrants")]
    assert [e["query"] for e in zoom.control.requests("GET")] == [{"status": "approved", "page_size": "300"}]
    row.refresh_from_db()
    assert (row.state, row.registrant_id, row.join_url) == (Registrant.State.REGISTERED, registrant_id, link)


def test_a_booking_again_after_cancelling_is_approved_again_not_added(zoom, hosted, group, maria):
    start = a_monday()
    ann = book(group, maria, start, who="Ann")
    book(group, maria, start, who="Ben")
    settle()
    services.cancel_booking(ann)
    settle()
    zoom.control.clear_requests()

    again = book(group, maria, start, who="Ann")
    settle()

    calls = registrant_calls(zoom)
    # A new booking of the same address: its row is new, so it is added (Zoom answers with the same
    # registration and approves it again; one add of the three a day).
    assert [(m, p) for m, p, _ in calls] == [("POST", "/v2/meetings/{id}/registrants")]
    assert personal_link(again) and Registrant.objects.get(booking=again).state == Registrant.State.REGISTERED
    [on_zoom] = [r for r in zoom.emulator.state.registrants.values() if r.email == "ann@example.com"]
    assert on_zoom.status == "approved"


def test_moving_one_attendee_cancels_them_there_and_registers_them_on_the_new_slot(
    zoom, hosted, group, maria
):
    start = a_monday()
    ann, ben = book(group, maria, start, who="Ann"), book(group, maria, start, who="Ben")
    settle()
    ben_id = Registrant.objects.get(booking=ben).registrant_id
    old_external = Meeting.objects.get(appointment=ann.appointment).external_id
    zoom.control.clear_requests()

    moved = services.reschedule_booking(ben, start=start + timedelta(hours=2))
    settle()

    new_meeting = Meeting.objects.get(appointment=moved.appointment)
    assert new_meeting.external_id != old_external
    calls = registrant_calls(zoom)
    assert sorted((m, p) for m, p, _ in calls) == sorted(
        [
            ("PUT", "/v2/meetings/{id}/registrants/status"),
            ("POST", "/v2/users/me/meetings"),
            ("POST", "/v2/meetings/{id}/registrants"),
        ]
    )
    cancel = next(entry for entry in zoom.control.requests("PUT"))
    assert cancel["path"] == f"/v2/meetings/{old_external}/registrants/status"
    assert cancel["body"]["registrants"] == [{"id": ben_id, "email": "ben@example.com"}]
    add = next(entry for entry in zoom.control.requests("POST") if entry["path"].endswith("/registrants"))
    assert add["path"] == f"/v2/meetings/{new_meeting.external_id}/registrants"
    assert (
        personal_link(moved)
        == Registrant.objects.get(booking=ben, external_meeting_id=new_meeting.external_id).join_url
    )


def test_a_basic_zoom_user_falls_back_to_the_shared_link_and_the_panel_says_so(
    zoom, hosted, group, maria, alice, alice_admin
):
    with zoom.emulator.mutation() as state:
        state.users[MARIA].type = 1  # a Basic (unlicensed) user: Zoom makes the meeting without registration
    zoom.control.clear_requests()
    start = a_monday()
    ann, ben = book(group, maria, start, who="Ann"), book(group, maria, start, who="Ben")
    settle()

    meeting = Meeting.objects.get(appointment=ann.appointment)
    assert meeting.registration == Meeting.Registration.REFUSED
    assert "Licensed Zoom user" in meeting.registration_note
    assert [(m, p) for m, p, _ in registrant_calls(zoom)] == [("POST", "/v2/users/me/meetings")]
    assert personal_link(ann) == personal_link(ben) == meeting.join_url
    page = signed_in(alice_admin, alice).get(f"/panel/appointments/{ann.appointment_id}/")
    assert page.status_code == 200
    assert "One shared link" in page.content.decode() and "Licensed Zoom user" in page.content.decode()


def test_the_panel_lists_each_attendee_with_their_state(zoom, hosted, group, maria, alice, alice_admin):
    start = a_monday()
    ann, ben = book(group, maria, start, who="Ann"), book(group, maria, start, who="Ben")
    settle()
    services.cancel_booking(ben)
    settle()

    html = signed_in(alice_admin, alice).get(f"/panel/appointments/{ann.appointment_id}/").content.decode()
    assert "A personal link for each attendee" in html
    assert html.count('data-testid="attendee-link"') == 2
    assert "Registered" in html and "Cancelled" in html
    # The personal links are the attendees' own: staff never see them in the panel.
    assert personal_link(ann) not in html


def test_each_customer_is_emailed_their_own_link(zoom, hosted, group, maria, alice, request):
    mail = request.getfixturevalue("smtp_server")
    install_default_workflows(alice)
    start = a_monday()
    seats = [book(group, maria, start, who=name) for name in ("Ann", "Ben", "Cleo")]
    settle()

    for seat in seats:
        link = personal_link(seat)
        [confirmation] = mail.to(seat.customer.email)
        text = plain_text(confirmation)
        assert link in text.replace("&amp;", "&")
        others = [personal_link(other) for other in seats if other != seat]
        assert not any(other in text.replace("&amp;", "&") for other in others)


def test_zoom_refusing_more_adds_today_leaves_the_seat_waiting_until_midnight_without_a_retry_storm(
    zoom, hosted, group, maria
):
    zoom.emulator.config.daily_adds_per_registrant = 0  # as if three adds were spent earlier today
    ann = book(group, maria, a_monday(), who="Ann")
    settle()

    row = Registrant.objects.get(booking=ann)
    assert row.state == Registrant.State.PENDING and "00:00 UTC" in row.last_error
    assert row.next_attempt_at is not None and row.next_attempt_at.hour == 0
    posts = [e for e in zoom.control.requests("POST") if e["path"].endswith("/registrants")]
    assert len(posts) == 1 and posts[0]["status"] == 429
    job = Job.objects.get(kind=events.SYNC_MEETING, state=Job.State.PENDING)
    assert job.run_after == row.next_attempt_at and job.attempts == 0
    # The customer is told the link is coming, never shown the meeting's shared link.
    view = meeting_view(ann.appointment, ann)
    assert view is not None and view.join_url is None and view.state == Meeting.State.PENDING


def test_an_app_without_the_registrant_permission_falls_back_to_the_shared_link(zoom, api, group, maria):
    scopes = zoom.emulator.state.oauth_apps["rendez-demo-client"].scopes
    scopes[:] = [scope for scope in scopes if "registrant" not in scope]
    connect_staff(api, zoom, maria, MARIA)
    ann = book(group, maria, a_monday(), who="Ann")
    settle()

    meeting = Meeting.objects.get(appointment=ann.appointment)
    assert meeting.registration == Meeting.Registration.REFUSED
    assert "permission to register attendees" in meeting.registration_note
    assert personal_link(ann) == meeting.join_url
    # The meeting was made requiring registration: it stops, so its shared link lets everyone in.
    assert [e["body"] for e in zoom.control.requests("PATCH")] == [{"settings": {"approval_type": 2}}]
    assert httpx2.get(meeting.join_url).status_code == 200


def test_the_registration_created_event_adopts_an_add_whose_answer_was_lost(
    zoom, inbox, hosted, group, maria
):
    ann = book(group, maria, a_monday(), who="Ann")
    settle()
    row = Registrant.objects.get(booking=ann)
    registrant_id, link = row.registrant_id, row.join_url
    Registrant.objects.filter(pk=row.pk).update(
        state=Registrant.State.PENDING,
        registrant_id="",
        join_url_encrypted="",
        attempt_started_at=timezone.now(),
    )
    assert zoom.emulator.wait_for_webhooks()
    index = inbox.events().index("meeting.registration_created")

    assert inbox.replay(Client(), index).status_code == 204

    row.refresh_from_db()
    assert (row.state, row.registrant_id, row.join_url) == (Registrant.State.REGISTERED, registrant_id, link)
    zoom.control.clear_requests()
    settle()
    assert registrant_calls(zoom) == []  # nothing left to add or look up


def test_a_new_host_means_new_personal_links_sent_to_each_customer(
    zoom, api, hosted, group, maria, jonas, alice, request
):
    mail = request.getfixturevalue("smtp_server")
    install_default_workflows(alice)
    connect_staff(api, zoom, jonas, JONAS)
    group.staff.add(jonas)
    start = a_monday()
    ann, ben = book(group, maria, start, who="Ann"), book(group, maria, start, who="Ben")
    settle()
    before = {seat.pk: personal_link(seat) for seat in (ann, ben)}
    zoom.control.clear_requests()

    services.reschedule_appointment(ann.appointment, start=start, staff=jonas)
    settle()

    calls = [(m, p) for m, p, _ in registrant_calls(zoom)]
    # The new meeting, the old one deleted (its registrants with it), then the seats on the new one.
    assert calls == [
        ("POST", "/v2/users/me/meetings"),
        ("DELETE", "/v2/meetings/{id}"),
        ("POST", "/v2/meetings/{id}/registrants"),
        ("POST", "/v2/meetings/{id}/registrants"),
    ]
    for seat in (ann, ben):
        new = personal_link(seat)
        assert new and new != before[seat.pk]
        [changed] = [m for m in mail.to(seat.customer.email) if m["Subject"].startswith("New video link")]
        text = plain_text(changed).replace("&amp;", "&")
        assert new in text and before[seat.pk] not in text


def test_staff_and_admins_are_told_why_attendees_share_one_link(
    zoom, hosted, group, maria, alice, alice_admin, request
):
    mail = request.getfixturevalue("smtp_server")
    with zoom.emulator.mutation() as state:
        state.users[MARIA].type = 1
    book(group, maria, a_monday(), who="Ann")
    book(group, maria, a_monday(), who="Ben")
    settle()

    [notice] = [m for m in mail.messages if m["Subject"].startswith("No personal links for Group class")]
    assert {maria.email, alice_admin.email} <= set(notice["To"].replace(" ", "").split(","))
    assert "Licensed Zoom user" in plain_text(notice)


def test_a_booking_awaiting_approval_is_registered_once_confirmed(zoom, hosted, group, maria):
    start = a_monday()
    ann = book(group, maria, start, who="Ann")
    Service.objects.filter(pk=group.pk).update(initial_status=Service.InitialStatus.PENDING)
    group.refresh_from_db()
    ben = book(group, maria, start, who="Ben")
    assert ben.status == Booking.Status.PENDING
    settle()

    assert not Registrant.objects.filter(booking=ben).exists()
    # Nothing is being made for Ben yet: his messages do not wait for a link.
    assert meeting_coming(ben.appointment, ben) is False and personal_link(ben) == ""
    assert personal_link(ann)
    zoom.control.clear_requests()

    services.set_status(ben, Booking.Status.CONFIRMED)
    settle()

    calls = registrant_calls(zoom)
    assert [(m, p) for m, p, _ in calls] == [("POST", "/v2/meetings/{id}/registrants")]
    assert calls[0][2]["email"] == "ben@example.com" and personal_link(ben)


def test_a_refusal_answered_in_xml_is_read_as_a_refusal_too(zoom, hosted, group, maria):
    start = a_monday()
    ann = book(group, maria, start, who="Ann")
    settle()
    # The host lost their licence since the meeting was made, and Zoom answers errors in XML today.
    with zoom.emulator.mutation() as state:
        state.users[MARIA].type = 1
    zoom.control.set_faults(xml_errors=True)
    ben = book(group, maria, start, who="Ben")
    settle()

    [refused] = [e for e in zoom.control.requests("POST") if e["path"].endswith("/registrants")][-1:]
    assert refused["status"] == 400 and refused["response_body"].startswith("<?xml")
    meeting = Meeting.objects.get(appointment=ann.appointment)
    assert meeting.registration == Meeting.Registration.REFUSED
    assert "Only available for paid users" in meeting.registration_note
    # Everyone now shares the meeting's link, Ann included, and it no longer asks anyone to register.
    assert personal_link(ann) == personal_link(ben) == meeting.join_url
    [patch] = zoom.control.requests("PATCH")
    assert patch["body"] == {"settings": {"approval_type": 2}}
    assert httpx2.get(meeting.join_url).status_code == 200
