"""Working hours and time off from the panel: staff keep their own (not a colleague's), admins see what
changed, and time off over booked appointments lists them and asks: keep them, or cancel them and tell the
customers (through `services`, the customer gets the email)."""

from __future__ import annotations

from datetime import time, timedelta
from html import unescape

import pytest

from rendez.jobs.worker import Worker
from rendez.notifications.models import Trigger
from rendez.notifications.tests.fixtures import workflow
from rendez.scheduling import catalog
from rendez.scheduling.models import Booking, StaffChange, TimeOff, WorkingHours
from rendez.scheduling.tests.factories import book
from rendez.web.panel.tests.fixtures import berlin

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return unescape(response.content.decode())


def _hours(**days: str) -> dict[str, str]:
    return {f"day_{day}": "" for day in range(7)} | days


def _away(monday, start: int, end: int, **extra) -> dict:
    day = monday.isoformat()
    return {"start": f"{day}T{start:02d}:00", "end": f"{day}T{end:02d}:00", "reason": "Dentist", **extra}


def test_staff_edit_their_own_hours_and_admins_see_the_change(dora_client, ada_client, dora):
    response = dora_client.post("/panel/staff/me/hours/", _hours(day_0="08:00-12:00", day_2="13:00-18:00"))

    assert response.status_code == 302 and response["Location"] == "/panel/staff/me/"
    spans = {(row.weekday, row.start_time, row.end_time) for row in WorkingHours.objects.filter(staff=dora)}
    assert spans == {(0, time(8), time(12)), (2, time(13), time(18))}
    change = dora.changes.get()
    assert change.kind == StaffChange.Kind.WORKING_HOURS and change.by_name == "dora"
    page = _text(ada_client.get(f"/panel/staff/{dora.pk}/"))
    assert "Recent changes" in page and "dora (Dora)" in page
    assert "Mon 08:00-12:00; Wed 13:00-18:00 (was: Mon 09:00-17:00;" in page


def test_a_refused_week_is_shown_on_the_staff_members_own_page(dora_client, dora):
    refused = dora_client.post("/panel/staff/me/hours/", _hours(day_0="09:00-12:00, 11:00-13:00"))
    assert refused.status_code == 400 and "overlap" in _text(refused) and "My schedule" in _text(refused)
    assert not dora.changes.exists()


def test_staff_add_and_remove_their_own_time_off(dora_client, dora, monday):
    added = dora_client.post("/panel/staff/me/time-off/", _away(monday, 9, 13))
    assert added.status_code == 302 and added["Location"] == "/panel/staff/me/"
    away = TimeOff.objects.get(staff=dora)
    assert (away.start, away.end, away.reason) == (berlin(monday, 9), berlin(monday, 13), "Dentist")
    assert "Dentist" in _text(dora_client.get("/panel/staff/me/"))

    removed = dora_client.post(f"/panel/staff/me/time-off/{away.pk}/remove/")
    assert removed.status_code == 302 and not TimeOff.objects.filter(staff=dora).exists()
    kinds = list(dora.changes.values_list("kind", flat=True))
    assert kinds == [StaffChange.Kind.TIME_OFF_REMOVED, StaffChange.Kind.TIME_OFF_ADDED]


def test_staff_cannot_change_a_colleagues_hours_or_time_off(dora_client, emil, monday):
    theirs = catalog.add_time_off(emil, start=berlin(monday, 9), end=berlin(monday, 10))
    attempts = [
        (f"/panel/staff/{emil.pk}/hours/", _hours(day_0="06:00-07:00")),
        (f"/panel/staff/{emil.pk}/time-off/", _away(monday, 14, 15)),
        (f"/panel/staff/{emil.pk}/time-off/{theirs.pk}/remove/", {}),
        (f"/panel/staff/me/time-off/{theirs.pk}/remove/", {}),
    ]
    for url, data in attempts:
        assert dora_client.post(url, data).status_code == 404, url
    assert not WorkingHours.objects.filter(staff=emil, start_time=time(6)).exists()
    assert list(TimeOff.objects.filter(staff=emil)) == [theirs]
    assert not StaffChange.objects.filter(staff=emil).exclude(by=None).exists()


def test_another_tenants_admin_cannot_see_or_change_the_schedule(olga_client, dora, monday):
    assert olga_client.get(f"/panel/staff/{dora.pk}/").status_code == 404
    assert olga_client.post(f"/panel/staff/{dora.pk}/time-off/", _away(monday, 9, 13)).status_code == 404
    assert olga_client.post(f"/panel/staff/{dora.pk}/hours/", _hours(day_0="06:00-07:00")).status_code == 404
    assert not TimeOff.objects.filter(staff=dora).exists() and not dora.changes.exists()


def test_time_off_over_booked_appointments_lists_them_and_adds_nothing_yet(
    dora_client, dora, doras_appointment, monday
):
    response = dora_client.post("/panel/staff/me/time-off/", _away(monday, 9, 13))

    assert response.status_code == 200
    page = _text(response)
    assert "1 appointment is booked during this time off" in page
    assert "Consultation" in page and "Charlie" in page and "Nothing has been added yet" in page
    assert f'name="appointment" value="{doras_appointment.pk}"' in page
    assert not TimeOff.objects.filter(staff=dora).exists() and not dora.changes.exists()


def test_keeping_them_adds_the_time_off_and_leaves_the_bookings(ada_client, dora, doras_appointment, monday):
    data = _away(monday, 9, 13, decision="keep", appointment=str(doras_appointment.pk))
    response = ada_client.post(f"/panel/staff/{dora.pk}/time-off/", data, follow=True)

    assert TimeOff.objects.filter(staff=dora).count() == 1
    assert doras_appointment.bookings.get().status == Booking.Status.CONFIRMED
    assert "1 appointment during it stay booked" in _text(response)


def test_cancelling_them_cancels_through_services_and_the_customer_is_told(
    dora_client, dora_user, alice, dora, doras_appointment, monday, smtp_server
):
    workflow(
        alice,
        name="Cancelled",
        trigger=Trigger.BOOKING_CANCELLED,
        subject_template="Cancelled: {service_name} on {appointment_date}",
        body_template="Sorry {customer_name}, {staff_name} cannot make it.",
    )
    data = _away(monday, 9, 13, decision="cancel", appointment=str(doras_appointment.pk))
    response = dora_client.post("/panel/staff/me/time-off/", data, follow=True)

    assert "1 booking cancelled and the customers told" in _text(response)
    assert TimeOff.objects.filter(staff=dora).count() == 1
    booking = doras_appointment.bookings.get()
    assert booking.status == Booking.Status.CANCELLED
    # The booking's history says why and who: Dora, for her time off.
    change = booking.changes.get()
    assert (change.summary, change.reason, change.by) == ("Cancelled", "Time off: Dentist", dora_user)
    Worker(queues={"notifications"}).run_once()
    subjects = [message["Subject"] for message in smtp_server.to("charlie@example.com")]
    assert any(subject.startswith("Cancelled: Consultation") for subject in subjects), subjects


def test_a_booking_made_after_the_question_is_kept_and_named(
    dora_client, consultation, dora, doras_appointment, monday
):
    later = book(
        consultation, dora, berlin(monday, 11), "Dave", now=berlin(monday, 6) - timedelta(days=7)
    ).appointment
    data = _away(monday, 9, 13, decision="cancel", appointment=str(doras_appointment.pk))
    response = dora_client.post("/panel/staff/me/time-off/", data, follow=True)

    assert doras_appointment.bookings.get().status == Booking.Status.CANCELLED
    assert later.bookings.get().status == Booking.Status.CONFIRMED
    assert "1 appointment booked meanwhile during the time off stay booked" in _text(response)


def test_a_post_naming_no_day_is_refused_not_taken_for_a_week_off(dora_client, dora):
    refused = dora_client.post("/panel/staff/me/hours/", {})
    assert refused.status_code == 400 and "No working hours were sent" in _text(refused)
    assert WorkingHours.objects.filter(staff=dora).count() == 5 and not dora.changes.exists()
