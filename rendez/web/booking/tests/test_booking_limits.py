"""One client address may make a limited number of bookings per hour on a business's public page: a script
cannot fill the calendar (and spend the business's Zoom meeting quota) with made-up customers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client

from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service, make_staff
from rendez.web.booking import limits
from rendez.web.booking.tests.test_booking import a_monday, details, details_url
from rendez.web.models import AttemptCounter

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_day(monkeypatch):
    monkeypatch.setattr(limits, "PER_ADDRESS", 3)


def book(client: Client, service, hour: int, email: str = "c@example.com"):
    return client.post(details_url(service), details(service, a_monday(hour), email=email))


def test_an_address_over_its_limit_is_refused_in_words_and_books_nothing(three_a_day, consultation):
    here = Client(REMOTE_ADDR="203.0.113.7")
    for hour in (9, 10, 11):
        assert book(here, consultation, hour, email=f"c{hour}@example.com").status_code == 302

    refused = book(here, consultation, 12)

    assert refused.status_code == 429 and int(refused["Retry-After"]) == 3600
    assert "Many bookings were made from your network in the last hour" in refused.content.decode()
    assert Booking.objects.count() == 3
    # Someone elsewhere books as usual.
    assert book(Client(REMOTE_ADDR="198.51.100.9"), consultation, 12).status_code == 302


def test_a_refused_booking_does_not_count(three_a_day, consultation):
    here = Client(REMOTE_ADDR="203.0.113.7")
    assert book(here, consultation, 9).status_code == 302
    for _ in range(3):
        assert book(here, consultation, 9, email="late@example.com").status_code == 409  # taken

    assert book(here, consultation, 10, email="d@example.com").status_code == 302
    assert book(here, consultation, 11, email="e@example.com").status_code == 302
    assert Booking.objects.count() == 3


def test_the_limit_is_per_business(three_a_day, consultation, bob):
    here = Client(REMOTE_ADDR="203.0.113.7")
    for hour in (9, 10, 11):
        book(here, consultation, hour, email=f"c{hour}@example.com")
    bobs = make_service(bob, make_staff(bob, "Bea"), name="Massage")

    response = here.post(f"/book/bob/{bobs.pk}/details", details(bobs, a_monday(9), email="c@example.com"))

    assert response.status_code == 302


def test_the_limit_ends_with_its_window(three_a_day, consultation):
    here = Client(REMOTE_ADDR="203.0.113.7")
    for hour in (9, 10, 11):
        book(here, consultation, hour, email=f"c{hour}@example.com")
    AttemptCounter.objects.update(expires_at=F("expires_at") - limits.WINDOW - timedelta(seconds=1))

    assert book(here, consultation, 12).status_code == 302
