""" "Any available" when an admin books for a customer: the service's policy picks, caps hold, and a staff
member chosen by name is simply booked."""

from __future__ import annotations

import pytest

from rendez.api.tests.fixtures import berlin
from rendez.scheduling import catalog
from rendez.scheduling.models import Booking
from rendez.web.panel.customers.tests.test_customers import _form

pytestmark = pytest.mark.django_db


def test_the_services_policy_picks_and_the_booking_says_so(ada_client, consultation, dora, emil, monday):
    consultation.staff.add(emil)
    catalog.update_staff(emil, catalog.StaffChanges(assignment_priority=5))
    response = ada_client.post(
        "/panel/customers/book/",
        _form(consultation, dora, monday, 9, staff="", email="n@example.com", name="N"),
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.appointment.staff, booking.assigned_by) == (emil, "round_robin")


def test_a_staff_member_chosen_by_name_is_booked_past_their_cap(ada_client, consultation, dora, monday):
    catalog.update_staff(dora, catalog.StaffChanges(max_assignments_per_day=0))
    slots = ada_client.get(
        "/panel/customers/book/slots/", {"service": consultation.pk, "staff": "", "date": monday.isoformat()}
    ).content.decode()
    assert berlin(monday, 9).isoformat() not in slots  # nobody "any available" may give it
    response = ada_client.post(
        "/panel/customers/book/", _form(consultation, dora, monday, 9, email="n@example.com", name="N")
    )
    assert response.status_code == 302
    assert Booking.objects.get().assigned_by == ""


def test_the_appointment_says_who_was_chosen_and_how(ada_client, consultation, dora, monday):
    ada_client.post(
        "/panel/customers/book/",
        _form(consultation, dora, monday, 9, staff="", email="n@example.com", name="N"),
    )
    booking = Booking.objects.get()
    page = ada_client.get(f"/panel/appointments/{booking.appointment_id}/").content.decode()
    assert "Booked for “Any available”: Dora chosen by round robin" in page
