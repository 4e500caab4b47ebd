"""Phone numbers through the API: customers' and staff's, stored and returned as E.164, refused on their field
when they are not numbers. The API knows no country a national number could be from: numbers come
international."""

from __future__ import annotations

import pytest

from rendez.api.tests.fixtures import berlin, booking_body
from rendez.scheduling.models import Booking, Customer, Staff


def with_phone(body: dict, phone: str) -> dict:
    body["customer"]["phone"] = phone
    return body


def test_a_customers_phone_is_stored_as_e164(alice_api, consultation, dora, monday):
    body = with_phone(booking_body(consultation, dora, berlin(monday, 10)), "+49 (0)30 123-4567")
    response = alice_api.post("/bookings", body)
    assert response.status_code == 201
    assert response.json()["customer"]["phone"] == "+49301234567"
    assert Customer.objects.get().phone == "+49301234567"


def test_a_booking_without_a_phone_keeps_none(alice_api, consultation, dora, monday):
    response = alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, 10)))
    assert response.json()["customer"]["phone"] == ""


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("030 1234567", "Start with + and the country code, e.g. +49 30 1234567."),
        ("call me maybe", "That is not a phone number; use digits, spaces, +, - and brackets."),
        ("+49 30 12", "That is not a valid phone number; check the digits and the country code."),
    ],
)
def test_a_customers_phone_that_is_not_one_is_refused_on_its_field(
    alice_api, consultation, dora, monday, phone, message
):
    body = with_phone(booking_body(consultation, dora, berlin(monday, 10)), phone)
    response = alice_api.post("/bookings", body)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"customer.phone": message}
    assert not Booking.objects.exists()


def test_staff_phones_are_stored_as_e164_on_create_and_update(alice_api, db):
    created = alice_api.post("/staff", {"name": "Ines", "phone": "0044 20 7946 0018"})
    assert created.status_code == 201
    assert created.json()["phone"] == "+442079460018"
    ines = created.json()["id"]
    updated = alice_api.patch(f"/staff/{ines}", {"phone": "+1 650-253-0000"})
    assert updated.json()["phone"] == "+16502530000"
    assert Staff.objects.get(pk=ines).phone == "+16502530000"


def test_a_staff_phone_can_be_cleared(alice_api, dora):
    dora.phone = "+49301234567"
    dora.save()
    assert alice_api.patch(f"/staff/{dora.pk}", {"phone": ""}).json()["phone"] == ""


def test_an_invalid_staff_phone_changes_nothing(alice_api, dora):
    response = alice_api.patch(f"/staff/{dora.pk}", {"phone": "12", "name": "Dora M."})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["phone"]
    dora.refresh_from_db()
    assert (dora.name, dora.phone) == ("Dora", "")


def test_the_openapi_document_says_phones_are_international(alice_api, db):
    schema = alice_api.client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    phone = schema["CustomerIn"]["properties"]["phone"]
    assert "E.164" in phone["description"] and phone["maxLength"] == 40
