"""Notifications hears scheduling's announcements by subscription, and its event rows keep the keys they have
always had (rows queued by earlier releases still run)."""

from __future__ import annotations

import pytest

from rendez.jobs import subscriptions
from rendez.jobs.models import Job
from rendez.notifications import payloads, subscribers
from rendez.notifications.models import EventSnapshot
from rendez.notifications.tests.fixtures import book, run_jobs, slot
from rendez.scheduling import events, services

pytestmark = pytest.mark.django_db


def test_it_subscribes_to_booking_changes_and_series_actions() -> None:
    assert subscribers.booking_message in subscriptions.subscribers_of(events.BookingChanged)
    assert subscribers.series_message in subscriptions.subscribers_of(events.SeriesChanged)
    assert (events.BOOKING_EVENT, events.SERIES_EVENT) == (payloads.BOOKING_EVENT, payloads.SERIES_EVENT)


def test_a_booking_event_row_has_the_keys_it_always_had(service) -> None:
    booking = book(service, slot(days=3))
    services.cancel_booking(booking, reason="ill")

    created, cancelled = Job.objects.filter(kind=payloads.BOOKING_EVENT).order_by("pk")
    appointment = booking.appointment
    said = {
        "booking_id": booking.pk,
        "start": appointment.start.isoformat(),
        "end": appointment.end.isoformat(),
        "appointment_id": appointment.pk,
        "staff_id": appointment.staff_id,
    }
    first = {"event": "booking_created", "status": "confirmed", "previous_status": None}
    assert created.payload == {**said, **first}
    assert cancelled.payload == {
        **said,
        "event": "booking_cancelled",
        "status": "cancelled",
        "previous_status": "confirmed",
        "reason": "ill",
        "changed_by": "API",
    }
    # (Key order is not compared: PostgreSQL's jsonb keeps keys in its own order.)
    assert set(created.payload) <= set(payloads.BookingEvent.model_fields)


def test_a_row_queued_before_events_said_their_times_still_runs(service) -> None:
    booking = book(service, slot(days=3))
    job = Job.objects.get(kind=payloads.BOOKING_EVENT)
    start = booking.appointment.start.isoformat()
    old = {"booking_id": booking.pk, "event": "booking_created", "status": "confirmed", "start": start}
    Job.objects.filter(pk=job.pk).update(payload=old)

    run_jobs()

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    snapshot = EventSnapshot.objects.get(booking=booking)
    assert (snapshot.start, snapshot.staff_id) == (booking.appointment.start, booking.appointment.staff_id)
