"""Capacity under concurrent writers: many clients at once, each on its own PostgreSQL connection."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from rendez.scheduling import services
from rendez.scheduling.models import Appointment, Booking
from rendez.scheduling.services import BookingError
from rendez.scheduling.tests.factories import book, customer, utc
from rendez.scheduling.tests.fixtures import NOW

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 30
TUESDAY_TEN = utc(2026, 6, 2, 8)


def all_at_once(work: Callable[[int], object], clients: int = CLIENTS) -> list[object]:
    """Run `work(i)` in `clients` threads released together; each result is a return value or an exception."""
    barrier = threading.Barrier(clients)
    results: list[object] = [None] * clients

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def outcome(result: object) -> str:
    if isinstance(result, Booking):
        return "booked"
    if isinstance(result, BookingError):
        return result.code
    return repr(result)


def test_only_one_of_thirty_clients_gets_a_one_to_one_slot(consultation, dora):
    results = all_at_once(
        lambda i: services.book(
            service=consultation, staff=dora, start=TUESDAY_TEN, customer=customer(f"Client{i}"), now=NOW
        )
    )
    assert Counter(outcome(result) for result in results) == {"booked": 1, "conflict": CLIENTS - 1}
    assert all(error.conflict for error in results if isinstance(error, BookingError))
    assert Booking.objects.count() == 1
    assert Appointment.objects.get().seats_taken == 1


def test_thirty_clients_fill_exactly_the_five_seats_of_a_group_slot(yoga, dora):
    results = all_at_once(
        lambda i: services.book(
            service=yoga, staff=dora, start=TUESDAY_TEN, customer=customer(f"Client{i}"), now=NOW
        )
    )
    assert Counter(outcome(result) for result in results) == {"booked": 5, "full": CLIENTS - 5}
    appointment = Appointment.objects.get()
    assert appointment.seats_taken == 5
    assert Booking.objects.filter(appointment=appointment).count() == 5


def test_cancelling_the_same_booking_at_once_gives_its_seats_back_once(yoga, dora):
    charlie = book(yoga, dora, TUESDAY_TEN, "Charlie", party_size=2, now=NOW)
    book(yoga, dora, TUESDAY_TEN, "Dave", party_size=2, now=NOW)
    results = all_at_once(lambda i: services.cancel_booking(charlie, now=NOW), clients=10)
    assert all(isinstance(result, Booking) for result in results)
    assert Appointment.objects.get().seats_taken == 2
