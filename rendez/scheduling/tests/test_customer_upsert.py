"""The customer of a booking, found or added by email in one statement, also when first bookings race."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from rendez.scheduling import services
from rendez.scheduling.models import Booking, Customer
from rendez.scheduling.tests.factories import customer, utc
from rendez.scheduling.tests.fixtures import NOW
from rendez.scheduling.tests.test_concurrency import all_at_once, outcome

TUESDAY_NINE = utc(2026, 6, 2, 7)


@pytest.mark.django_db
def test_a_new_email_adds_the_customer_with_the_details_given(alice):
    added = services.upsert_customer(alice.pk, customer("Erin", "Erin@Example.com ", phone="+4930111"))

    assert (added.pk, added.email, added.name, added.phone) == (
        Customer.objects.get().pk,
        "erin@example.com",
        "Erin",
        "+4930111",
    )
    assert added.created_at == Customer.objects.get().created_at


@pytest.mark.django_db
def test_a_known_email_returns_the_customer_unchanged(alice, bob):
    known = Customer.objects.create(
        tenant=alice, name="Erin", email="erin@example.com", timezone="Europe/Paris"
    )

    found = services.upsert_customer(alice.pk, customer("Mallory", "erin@example.com", timezone="UTC"))
    elsewhere = services.upsert_customer(bob.pk, customer("Erin B", "erin@example.com"))

    assert (found.pk, found.name, found.timezone) == (known.pk, "Erin", "Europe/Paris")
    assert Customer.objects.get(pk=known.pk).name == "Erin"
    assert elsewhere.pk != known.pk  # customers are per tenant


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_first_bookings_racing_with_one_new_email_make_one_customer(consultation, dora):
    starts = [TUESDAY_NINE + timedelta(minutes=30 * i) for i in range(8)]

    results = all_at_once(
        lambda i: services.book(
            service=consultation,
            staff=dora,
            start=starts[i],
            customer=customer("Frank", "frank@example.com"),
            now=NOW,
        ),
        clients=len(starts),
    )

    assert Counter(outcome(result) for result in results) == {"booked": len(starts)}
    assert Customer.objects.count() == 1
    assert set(Booking.objects.values_list("customer_id", flat=True)) == {Customer.objects.get().pk}
