"""Scheduling announces its changes as typed events; whoever cares subscribes. The follow-ups of one change
go in one INSERT, and the core imports none of its consumers."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rendez import jobs
from rendez.jobs.models import Job
from rendez.scheduling import events, services
from rendez.scheduling.tests.factories import book, utc
from rendez.scheduling.tests.fixtures import NOW

TUESDAY_TEN = utc(2026, 6, 2, 8)
heard: list[object] = []


def hear(event: object) -> list[jobs.NewJob]:
    heard.append(event)
    return []


@pytest.fixture
def listening() -> Iterator[list[object]]:
    heard.clear()
    for event_type in (events.AppointmentChanged, events.BookingChanged):
        jobs.subscribe(event_type, hear)
    yield heard
    for event_type in (events.AppointmentChanged, events.BookingChanged):
        jobs.unsubscribe(event_type, hear)
    heard.clear()


def test_a_subscriber_hears_each_change_as_it_was(consultation, dora, listening) -> None:
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    services.cancel_booking(booking, now=NOW, reason="ill")

    appointment = booking.appointment
    # Both writers read the tenant with the staff lock: its calendars flag comes along (off here).
    changed = events.AppointmentChanged(appointment.pk, booking.tenant_id, has_calendars=False)
    common = dict(
        booking_id=booking.pk,
        tenant_id=booking.tenant_id,
        appointment_id=appointment.pk,
        staff_id=dora.pk,
        start=TUESDAY_TEN,
        end=appointment.end,
    )
    booking_changes = [event for event in listening if isinstance(event, events.BookingChanged)]
    assert booking_changes == [
        events.BookingChanged(event="booking_created", status="confirmed", previous_status=None, **common),
        events.BookingChanged(
            event="booking_cancelled",
            status="cancelled",
            previous_status="confirmed",
            reason="ill",
            changed_by="API",
            **common,
        ),
    ]
    # Each booking change comes with its appointment's, just before it, in the same announcement.
    assert listening[0] == changed and listening[listening.index(booking_changes[1]) - 1] == changed
    assert set(listening) - set(booking_changes) == {changed}


def test_a_booking_s_follow_ups_go_in_one_insert(consultation, dora) -> None:
    with CaptureQueriesContext(connection) as queries:
        booking = book(consultation, dora, TUESDAY_TEN, now=NOW)

    inserts = [query for query in queries if query["sql"].startswith('INSERT INTO "jobs_job"')]
    assert len(inserts) == 1
    follow_ups = Job.objects.filter(tenant_id=booking.tenant_id).order_by("pk")
    assert [job.kind for job in follow_ups] == [events.SYNC_MEETING, events.BOOKING_EVENT]


def test_the_core_imports_none_of_its_consumers() -> None:
    package = Path(events.__file__).parent
    consumers = ("rendez.conferencing", "rendez.notifications", "rendez.integrations", "rendez.calendars")
    found = []
    for path in package.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{path.name}: {name}" for name in names if name.startswith(consumers)]
    assert found == []
