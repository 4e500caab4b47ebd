"""Customers in the panel: the list and its search, a customer's bookings, booking from the panel through
`services.book` with free times from `find_slots`; staff, other tenants and CSRF-less posts refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rendez.scheduling.models import Appointment, Booking, Customer
from rendez.scheduling.tests.factories import book, make_service
from rendez.web.panel.tests.fixtures import berlin, signed_in

pytestmark = pytest.mark.django_db


def _form(consultation, dora, monday, hour: int, **fields) -> dict:
    data = {
        "service": consultation.pk,
        "staff": dora.pk,
        "date": monday.isoformat(),
        "start": berlin(monday, hour).isoformat(),
        "email": "charlie@example.com",
        "name": "",
        "phone": "",
        "notes": "",
    }
    data.update(fields)
    return data


def test_the_list_searches_by_name_and_email(ada_client, doras_appointment, emils_appointment):
    body = ada_client.get("/panel/customers/").content.decode()
    assert "Charlie" in body and "Grace" in body and "charlie@example.com" in body
    by_name = ada_client.get("/panel/customers/", {"q": "gra"}).content.decode()
    assert "Grace" in by_name and "Charlie" not in by_name
    by_email = ada_client.get("/panel/customers/", {"q": "CHARLIE@"}).content.decode()
    assert "Charlie" in by_email and "Grace" not in by_email
    assert 'href="/panel/customers/"' in body and ">Customers</a>" in body


def test_a_customer_page_splits_upcoming_and_past_with_links(
    ada_client, consultation, dora, doras_appointment, monday
):
    past = book(
        consultation,
        dora,
        berlin(monday, 10) - timedelta(days=28),
        now=berlin(monday, 6) - timedelta(days=35),
    )
    Appointment.objects.filter(pk=past.appointment_id).update(
        start=timezone.now() - timedelta(days=3), end=timezone.now() - timedelta(days=3, minutes=-30)
    )
    charlie = Customer.objects.get(email="charlie@example.com")
    body = ada_client.get(f"/panel/customers/{charlie.pk}/").content.decode()
    upcoming, _, earlier = body.partition('id="past-title"')
    assert f'href="/panel/appointments/{doras_appointment.pk}/"' in upcoming
    assert f'href="/panel/appointments/{past.appointment_id}/"' in earlier
    assert f'href="/panel/customers/book/?customer={charlie.pk}"' in body


def test_staff_and_other_tenants_are_refused(
    dora_client, olga_client, doras_appointment, consultation, dora, monday
):
    charlie = Customer.objects.get(email="charlie@example.com")
    for url in ("/panel/customers/", f"/panel/customers/{charlie.pk}/", "/panel/customers/book/"):
        assert dora_client.get(url).status_code == 404
    assert (
        dora_client.post("/panel/customers/book/", _form(consultation, dora, monday, 14)).status_code == 404
    )
    assert olga_client.get(f"/panel/customers/{charlie.pk}/").status_code == 404
    assert "Charlie" not in olga_client.get("/panel/customers/").content.decode()
    # Olga naming alice's service and staff: not among her choices, nothing booked.
    refused = olga_client.post("/panel/customers/book/", _form(consultation, dora, monday, 14, name="X"))
    assert refused.status_code == 400
    slots = olga_client.get("/panel/customers/book/slots/", _form(consultation, dora, monday, 14))
    assert "14:00" not in slots.content.decode()
    assert Booking.objects.count() == 1


def test_the_slots_fragment_lists_free_times_in_the_tenants_zone(
    ada_client, consultation, dora, doras_appointment, monday
):
    body = ada_client.get(
        "/panel/customers/book/slots/",
        {"service": consultation.pk, "staff": dora.pk, "date": monday.isoformat()},
    ).content.decode()
    assert "Europe/Berlin" in body and "<html" not in body
    assert f'value="{berlin(monday, 9).isoformat()}"' in body
    assert f'value="{berlin(monday, 10).isoformat()}"' not in body  # Charlie's


def test_booking_an_existing_customer_by_email_keeps_their_details(
    ada_client, consultation, dora, doras_appointment, monday
):
    response = ada_client.post(
        "/panel/customers/book/", _form(consultation, dora, monday, 14, name="Someone Else")
    )
    booking = Booking.objects.exclude(appointment=doras_appointment).get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/panel/appointments/{booking.appointment_id}/"
    )
    assert booking.customer.name == "Charlie" and Customer.objects.count() == 1
    assert booking.appointment.start == berlin(monday, 14)


def test_a_new_customer_needs_a_name_and_is_then_booked(ada_client, consultation, dora, monday):
    nameless = ada_client.post(
        "/panel/customers/book/", _form(consultation, dora, monday, 14, email="new@example.com")
    )
    assert nameless.status_code == 400 and "give the new customer" in nameless.content.decode()
    assert not Booking.objects.exists()
    named = ada_client.post(
        "/panel/customers/book/", _form(consultation, dora, monday, 14, email="new@example.com", name="Nina")
    )
    assert named.status_code == 302
    assert Booking.objects.get().customer.name == "Nina"


def test_a_new_customers_phone_is_stored_as_e164_and_a_wrong_one_refused(
    ada_client, consultation, dora, monday
):
    new = {"email": "new@example.com", "name": "Nina"}
    refused = ada_client.post(
        "/panel/customers/book/", _form(consultation, dora, monday, 14, **new, phone="x")
    )
    assert refused.status_code == 400 and "That is not a phone number" in refused.content.decode()
    assert not Booking.objects.exists()
    booked = ada_client.post(
        "/panel/customers/book/", _form(consultation, dora, monday, 14, **new, phone="030 1234567")
    )
    assert booked.status_code == 302
    assert Booking.objects.get().customer.phone == "+49301234567"


def test_refusals_are_shown_in_words(ada_client, consultation, dora, doras_appointment, monday):
    taken = ada_client.post(
        "/panel/customers/book/", _form(consultation, dora, monday, 10, email="z@example.com", name="Z")
    )
    assert taken.status_code == 409 and 'class="errorlist"' in taken.content.decode()
    closed = ada_client.post(
        "/panel/customers/book/", _form(consultation, dora, monday, 20, email="z@example.com", name="Z")
    )
    assert closed.status_code in (400, 409) and 'class="errorlist"' in closed.content.decode()
    no_time = ada_client.post("/panel/customers/book/", _form(consultation, dora, monday, 14, start=""))
    assert no_time.status_code == 400 and "Pick one of the free times." in no_time.content.decode()
    assert Booking.objects.count() == 1


def test_booking_without_a_csrf_token_is_refused(ada, alice, consultation, dora, monday):
    client = signed_in(ada, alice, enforce_csrf_checks=True)
    assert client.post("/panel/customers/book/", _form(consultation, dora, monday, 14)).status_code == 403
    assert not Booking.objects.exists()


def test_the_book_page_prefills_the_customer(ada_client, doras_appointment):
    charlie = Customer.objects.get(email="charlie@example.com")
    body = ada_client.get("/panel/customers/book/", {"customer": charlie.pk}).content.decode()
    assert 'value="charlie@example.com"' in body and 'hx-get="/panel/customers/book/slots/"' in body


def test_any_available_offers_a_time_once_and_books_whoever_is_free(
    ada_client, consultation, dora, emil, doras_appointment, monday
):
    consultation.staff.add(emil)
    slots = ada_client.get(
        "/panel/customers/book/slots/", {"service": consultation.pk, "staff": "", "date": monday.isoformat()}
    ).content.decode()
    ten = f'value="{berlin(monday, 10).isoformat()}"'
    assert slots.count(ten) == 1  # Dora is taken at ten, Emil is free: offered, once
    assert slots.count(f'value="{berlin(monday, 9).isoformat()}"') == 1
    response = ada_client.post(
        "/panel/customers/book/",
        _form(consultation, dora, monday, 10, staff="", email="nina@example.com", name="Nina"),
    )
    assert response.status_code == 302
    assert Booking.objects.get(customer__email="nina@example.com").appointment.staff == emil


def test_seats_book_several_places_of_a_group_session(ada_client, alice, dora, monday):
    yoga = make_service(alice, dora, name="Yoga", duration_minutes=60, capacity=5, location_type="in_person")
    response = ada_client.post(
        "/panel/customers/book/",
        _form(yoga, dora, monday, 14, email="nina@example.com", name="Nina", party_size=3),
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.party_size == 3 and booking.appointment.seats_taken == 3
    too_many = ada_client.post(
        "/panel/customers/book/",
        _form(yoga, dora, monday, 14, email="olaf@example.com", name="Olaf", party_size=3),
    )
    assert too_many.status_code == 409 and 'class="errorlist"' in too_many.content.decode()
    assert Booking.objects.count() == 1


def test_an_admin_corrects_a_customers_details(ada_client, doras_appointment):
    charlie = Customer.objects.get(email="charlie@example.com")
    url = f"/panel/customers/{charlie.pk}/edit/"
    assert 'value="Charlie"' in ada_client.get(url).content.decode()
    saved = ada_client.post(url, {"name": "Charlie Brown", "email": "CB@Example.com", "phone": "030 1234567"})
    assert saved.status_code == 302 and saved["Location"] == f"/panel/customers/{charlie.pk}/"
    charlie.refresh_from_db()
    assert (charlie.name, charlie.email, charlie.phone) == ("Charlie Brown", "cb@example.com", "+49301234567")
    assert doras_appointment.bookings.get().customer.name == "Charlie Brown"


def test_a_correction_cannot_take_another_customers_email_or_drop_the_name(
    ada_client, alice, doras_appointment
):
    Customer.objects.create(tenant=alice, name="Nina", email="nina@example.com")
    charlie = Customer.objects.get(email="charlie@example.com")
    url = f"/panel/customers/{charlie.pk}/edit/"
    taken = ada_client.post(url, {"name": "Charlie", "email": "nina@example.com", "phone": ""})
    assert taken.status_code == 400
    assert "Another customer already has the email nina@example.com." in taken.content.decode()
    nameless = ada_client.post(url, {"name": "  ", "email": "charlie@example.com", "phone": ""})
    assert nameless.status_code == 400 and 'class="errorlist"' in nameless.content.decode()
    charlie.refresh_from_db()
    assert (charlie.name, charlie.email) == ("Charlie", "charlie@example.com")


def test_staff_outsiders_and_posts_without_csrf_cannot_edit_a_customer(
    dora_client, olga_client, ada, alice, doras_appointment
):
    charlie = Customer.objects.get(email="charlie@example.com")
    url = f"/panel/customers/{charlie.pk}/edit/"
    change = {"name": "X", "email": "x@example.com", "phone": ""}
    assert dora_client.get(url).status_code == 404 and dora_client.post(url, change).status_code == 404
    assert olga_client.get(url).status_code == 404 and olga_client.post(url, change).status_code == 404
    assert signed_in(ada, alice, enforce_csrf_checks=True).post(url, change).status_code == 403
    charlie.refresh_from_db()
    assert charlie.name == "Charlie"
