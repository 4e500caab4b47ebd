"""The dashboard and appointments as admins, staff and an outsider see them; what each may change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom.models import Connection
from rendez.jobs.models import Job
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service, make_staff
from rendez.web.panel.tests.fixtures import berlin, make_meeting, signed_in

pytestmark = pytest.mark.django_db


def _url(appointment, rest: str = "") -> str:
    return f"/panel/appointments/{appointment.pk}/{rest}"


def test_the_dashboard_lists_upcoming_appointments_failed_meetings_and_broken_connections(
    ada_client, alice, dora, doras_appointment
):
    make_meeting(doras_appointment, Meeting.State.FAILED, last_error="Dora's Zoom connection was revoked.")
    Connection.objects.create(
        tenant=alice,
        staff=dora,
        mode="staff_oauth",
        status=Connection.Status.NEEDS_RECONNECT,
        email="d@zoom.example",
    )
    body = ada_client.get("/panel/dashboard/").content.decode()
    assert "Next 7 days" in body or "Today" in body
    assert "Meeting failed: Consultation with Dora" in body
    assert "Dora&#x27;s Zoom connection was revoked." in body
    assert "Zoom needs reconnecting: Dora's account (d@zoom.example)" in body


def test_the_list_shows_times_in_the_viewers_zone_and_filters(
    ada_client, alice, doras_appointment, emils_appointment, emil
):
    alice.timezone = "America/New_York"
    alice.save()
    body = ada_client.get("/panel/appointments/").content.decode()
    assert "04:00–04:30" in body  # 10:00 Berlin in summer or winter is 04:00 in New York
    assert "Charlie" in body and "Grace" in body
    only_emil = ada_client.get("/panel/appointments/", {"staff": emil.pk}).content.decode()
    assert "Grace" in only_emil and "Charlie" not in only_emil
    assert "Charlie" not in ada_client.get("/panel/appointments/", {"when": "past"}).content.decode()
    assert "Charlie" not in ada_client.get("/panel/appointments/", {"status": "cancelled"}).content.decode()
    day = doras_appointment.start.date()
    ranged = ada_client.get("/panel/appointments/", {"start": day + timedelta(days=1), "when": "all"})
    assert "Charlie" not in ranged.content.decode()


def test_staff_see_only_their_own_appointments(dora_client, doras_appointment, emils_appointment):
    body = dora_client.get("/panel/appointments/").content.decode()
    assert "Charlie" in body and "Grace" not in body
    assert dora_client.get(_url(emils_appointment)).status_code == 404
    assert (
        dora_client.post(
            _url(emils_appointment, f"bookings/{emils_appointment.bookings.get().pk}/cancel/")
        ).status_code
        == 404
    )
    assert emils_appointment.bookings.get().status == Booking.Status.CONFIRMED


def test_the_details_show_the_meeting_with_start_and_no_retry_when_ready(ada_client, doras_appointment):
    make_meeting(doras_appointment)
    body = ada_client.get(_url(doras_appointment)).content.decode()
    assert "https://zoom.example/j/85746352413?pwd=abc" in body
    assert ">4821<" in body
    start = _url(doras_appointment, "start-meeting/")
    assert f'href="{start}" target="_blank" rel="noopener">START MEETING' in body
    assert ">Retry<" not in body


def test_the_details_asked_by_htmx_come_without_the_page(ada_client, doras_appointment):
    body = ada_client.get(_url(doras_appointment), headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith("<article")


def test_no_start_button_once_the_appointment_ended(ada_client, doras_appointment, monkeypatch):
    make_meeting(doras_appointment)
    from django.utils import timezone

    later = doras_appointment.end + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "START MEETING" not in ada_client.get(_url(doras_appointment)).content.decode()


def test_starting_a_meeting_that_is_not_ready_says_why(ada_client, doras_appointment):
    make_meeting(
        doras_appointment, Meeting.State.FAILED, external_id="", join_url="", last_error="Zoom said no."
    )
    response = ada_client.get(_url(doras_appointment, "start-meeting/"))
    assert response.status_code == 409
    assert "The meeting is not ready to start: it is failed (Zoom said no.)." in response.content.decode()


def test_retry_of_a_failed_meeting_queues_a_sync(ada_client, doras_appointment):
    make_meeting(doras_appointment, Meeting.State.FAILED, last_error="Zoom said no.")
    Job.objects.all().delete()
    body = ada_client.get(_url(doras_appointment)).content.decode()
    assert "Zoom said no." in body and ">Retry<" in body
    response = ada_client.post(_url(doras_appointment, "retry/"))
    assert response["Location"] == _url(doras_appointment)
    assert (
        Job.objects.filter(kind="conferencing.sync", key=f"appointment:{doras_appointment.pk}").count() == 1
    )


def test_cancel_asks_first_then_goes_through_the_booking_services(ada_client, doras_appointment):
    booking = doras_appointment.bookings.get()
    asked = ada_client.post(_url(doras_appointment, f"bookings/{booking.pk}/cancel/"))
    assert asked.status_code == 200 and "Cancel Charlie&#x27;s booking?" in asked.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED  # one click cancels nothing
    response = ada_client.post(
        _url(doras_appointment, f"bookings/{booking.pk}/status/"), {"status": "cancelled", "confirmed": "1"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    doras_appointment.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and doras_appointment.seats_taken == 0
    again = ada_client.post(_url(doras_appointment, f"bookings/{booking.pk}/cancel/"), {"confirmed": "1"})
    assert again.status_code == 400
    assert "A cancelled booking cannot become cancelled." in again.content.decode()


def test_the_status_list_preselects_nothing(ada_client, doras_appointment):
    page = ada_client.get(_url(doras_appointment)).content.decode()
    assert '<option value="" selected>Choose…</option>' in page


def test_a_status_change_the_rules_refuse_is_shown_in_words(dora_client, doras_appointment):
    booking = doras_appointment.bookings.get()
    response = dora_client.post(
        _url(doras_appointment, f"bookings/{booking.pk}/status/"), {"status": "completed"}
    )
    assert response.status_code == 400
    assert "can be marked completed only once its appointment has begun" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_reschedule_moves_the_appointment(ada_client, dora, doras_appointment, monday):
    response = ada_client.post(
        _url(doras_appointment, "reschedule/"), {"start": f"{monday}T14:00", "staff": dora.pk}
    )
    assert response.status_code == 302
    doras_appointment.refresh_from_db()
    assert doras_appointment.start == berlin(monday, 14)


def test_reschedule_can_change_the_service(ada_client, alice, dora, doras_appointment, monday):
    longer = make_service(alice, dora, name="Long talk", duration_minutes=60, slot_interval_minutes=30)
    response = ada_client.post(
        _url(doras_appointment, "reschedule/"),
        {"start": f"{monday}T14:00", "staff": dora.pk, "service": longer.pk},
    )
    assert response.status_code == 302
    doras_appointment.refresh_from_db()
    assert (doras_appointment.service, doras_appointment.end) == (longer, berlin(monday, 15))


def test_reschedule_refuses_a_service_of_another_business(ada_client, bob, dora, doras_appointment, monday):
    theirs = make_service(bob, make_staff(bob, "Bea"), name="Theirs")
    response = ada_client.post(
        _url(doras_appointment, "reschedule/"),
        {"start": f"{monday}T14:00", "staff": dora.pk, "service": theirs.pk},
    )
    assert response.status_code == 400
    doras_appointment.refresh_from_db()
    assert doras_appointment.service_id != theirs.pk and doras_appointment.start == berlin(monday, 10)


def test_reschedule_outside_working_hours_is_a_form_error(ada_client, dora, doras_appointment, monday):
    response = ada_client.post(
        _url(doras_appointment, "reschedule/"), {"start": f"{monday}T20:00", "staff": dora.pk}
    )
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    doras_appointment.refresh_from_db()
    assert doras_appointment.start == berlin(monday, 10)


def test_staff_cannot_move_their_appointment_to_someone_else(dora_client, emil, doras_appointment, monday):
    response = dora_client.post(
        _url(doras_appointment, "reschedule/"), {"start": f"{monday}T14:00", "staff": emil.pk}
    )
    assert response.status_code == 400
    doras_appointment.refresh_from_db()
    assert doras_appointment.staff_id != emil.pk


@pytest.mark.parametrize(
    ("method", "rest"),
    [
        ("get", ""),
        ("get", "start-meeting/"),
        ("post", "retry/"),
        ("post", "reschedule/"),
        ("post", "bookings/{b}/cancel/"),
        ("post", "bookings/{b}/status/"),
    ],
)
def test_another_tenants_admin_gets_404_and_nothing_changes(
    olga_client, doras_appointment, monday, method, rest
):
    make_meeting(doras_appointment)
    booking = doras_appointment.bookings.get()
    Job.objects.all().delete()
    data = {"start": f"{monday}T14:00", "status": "cancelled"} if method == "post" else {}
    response = getattr(olga_client, method)(_url(doras_appointment, rest.format(b=booking.pk)), data)
    assert response.status_code == 404
    booking.refresh_from_db()
    doras_appointment.refresh_from_db()
    assert (booking.status, doras_appointment.start, Job.objects.count()) == (
        "confirmed",
        berlin(monday, 10),
        0,
    )
    assert "Charlie" not in olga_client.get("/panel/appointments/", {"when": "all"}).content.decode()


def test_a_post_without_csrf_token_is_refused(ada, alice, doras_appointment):
    client = signed_in(ada, alice, enforce_csrf_checks=True)
    booking = doras_appointment.bookings.get()
    assert client.post(_url(doras_appointment, f"bookings/{booking.pk}/cancel/")).status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_the_panel_shell_links_only_pages_that_exist(ada_client, dora_client):
    admin_nav = ada_client.get("/panel/dashboard/").content.decode()
    assert 'href="/panel/dashboard/"' in admin_nav and 'href="/panel/appointments/"' in admin_nav
    staff_nav = dora_client.get("/panel/appointments/").content.decode()
    assert "My appointments" in staff_nav and 'href="/panel/dashboard/"' not in staff_nav
    anonymous = Client()
    assert anonymous.get("/panel/dashboard/").status_code == 302


def test_the_host_link_in_staff_messages_is_the_panels_start_view(client, doras_appointment):
    from django.urls import resolve

    from rendez.notifications.context import start_meeting_url

    link = start_meeting_url(doras_appointment)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert resolve(f"/{path}").url_name == "start_meeting"
    signed_out = client.get(f"/{path}")
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("view", ["day/", "", "month/"])
def test_calendar_pages_show_no_template_comment(ada_client, doras_appointment, view):
    page = ada_client.get(f"/panel/calendar/{view}").content.decode()
    assert "{#" not in page and "#}" not in page and "appointment-changed" in page
