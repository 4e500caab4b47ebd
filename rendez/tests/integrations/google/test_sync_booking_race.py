"""A sync landing during a booking never lets both through (PostgreSQL, real threads and connections).

The sync writes busy blocks under the staff member's row lock, the lock booking holds while it checks and
writes. So the order is total: a booking either committed before the block was written (it was free then),
or it read the block and was refused. Never a booking made after its block was written."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection as db

from rendez.calendars.models import BusyBlock, CalendarConnection
from rendez.integrations.google import sync
from rendez.scheduling import services
from rendez.scheduling.models import Appointment, Booking
from rendez.scheduling.services import BookingError
from rendez.scheduling.tests.factories import customer, make_service
from rendez.tests.integrations.google.world import berlin, user_event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BOOKERS = 4
STAGGER = (0.0, 0.01, 0.03, 0.06, 0.1, 0.2)


def race(work: list) -> list[object]:
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work[index]()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[index] = exc
        finally:
            db.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_a_sync_landing_during_bookings_never_lets_a_booking_in_after_its_block(
    google, connected, alice, maria, monday
):
    service = make_service(alice, maria, name="Session", duration_minutes=60, slot_interval_minutes=60)

    def sync_once() -> str:
        sync.sync_connection(CalendarConnection.objects.select_related("staff").get(pk=connected.pk))
        return "synced"

    for hour in range(9, 15):
        start = berlin(monday, hour)
        user_event(google, start, berlin(monday, hour, 30), f"Busy at {hour}")

        # Bookers released at staggered moments around the sync's own HTTP round trips, differently each
        # round, so some rounds book before the block lands and others meet it (the verdict uses no clock).
        stagger = STAGGER[hour % len(STAGGER)]

        def booker(number: int, start=start, stagger=stagger):
            def book():
                time.sleep(stagger * (number + 1))
                return services.book(
                    service=service, staff=maria, start=start, customer=customer(f"C{start:%H}x{number}")
                )

            return book

        results = race([sync_once, *(booker(number) for number in range(BOOKERS))])

        assert results[0] == "synced", results[0]
        booked = [result for result in results[1:] if isinstance(result, Booking)]
        assert all(
            isinstance(result, BookingError) and result.conflict
            for result in results[1:]
            if result not in booked
        )
        assert len(booked) <= 1, booked
        block = BusyBlock.objects.get(connection=connected, start=start)
        for booking in booked:
            made = Appointment.objects.get(pk=booking.appointment_id)
            assert made.created_at < block.created_at, (hour, made.created_at, block.created_at)
