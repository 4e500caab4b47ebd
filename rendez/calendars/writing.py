"""Appointments written out to staff's calendars: which connection owes the event, and a registry of writers.

`calendars.write_event` follows every appointment change and every meeting that becomes ready or changes its
link in tenants that may have a calendar connected (subscribers.py). It is level-triggered: it computes what
the calendar should hold now and asks the provider's writer to make it so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from django.utils import timezone

from rendez import jobs
from rendez.calendars import syncing
from rendez.calendars.models import CalendarConnection, CalendarEvent, Provider
from rendez.conferencing.choice import meeting_carrier
from rendez.scheduling.models import Appointment, Booking

WRITE_EVENT = "calendars.write_event"
# Meeting providers whose meeting is itself an event on the host's calendar (google/meet.py,
# microsoft/teams.py): on that connection the meeting's event is the appointment's; no second one is written.
MEETING_EVENTS = {"google_meet": Provider.GOOGLE, "teams": Provider.MICROSOFT}


class CalendarWriter(Protocol):
    # The provider's passing troubles (waited out without spending attempts) and its dead-grant error (ends
    # the attempt quietly): `write_event` runs `put` and `remove` under `as_job` with them.
    outages: tuple[type[BaseException], ...]
    unusable: type[BaseException]

    def put(self, appointment: Appointment, connection: CalendarConnection, record: CalendarEvent) -> None:
        """Make the event of `appointment` on `connection.write_calendar_id` match it (insert or patch)."""

    def remove(self, record: CalendarEvent) -> None:
        """Delete the event `record` names (or, never confirmed written, finds by its private property)."""

    def disconnect(self, connection: CalendarConnection) -> None:
        """Stop channels, revoke the grant, forget busy blocks; leave the row `disconnected`."""


_writers: dict[str, CalendarWriter] = {}


@contextmanager
def as_job(outages: tuple[type[BaseException], ...], unusable: type[BaseException]) -> Iterator[None]:
    """Run a writer's calls inside `calendars.write_event`: a provider's passing trouble (`outages`) makes the
    job wait without spending an attempt, as the sync jobs do (syncing.waiting_out), so an outage longer than
    the attempts' backoff never leaves the event unwritten for good; a dead grant (`unusable`) ends the
    attempt quietly: the connection is marked, people are asked to reconnect."""
    try:
        with syncing.waiting_out(outages):
            yield
    except unusable:
        return


def register_writer(provider: str, writer: CalendarWriter) -> None:
    _writers[provider] = writer


def writer_of(provider: str) -> CalendarWriter | None:
    return _writers.get(provider)


def backfill(connection: CalendarConnection) -> int:
    """After a connect or reconnect: every upcoming appointment of the staff member that holds seats gets its
    event written (or checked) by its own job; returns how many were asked for."""
    upcoming = Appointment.objects.filter(
        tenant_id=connection.tenant_id,
        staff_id=connection.staff_id,
        end__gt=timezone.now(),
        seats_taken__gt=0,
    ).values_list("pk", flat=True)
    asked = [
        jobs.NewJob(
            WRITE_EVENT,
            {"appointment_id": pk},
            key=f"{WRITE_EVENT}:{pk}",
            coalesce=True,
            tenant_id=connection.tenant_id,
        )
        for pk in upcoming
    ]
    if asked:
        jobs.enqueue_all(asked)
    return len(asked)


def write_event(tenant_id: int, appointment_id: int) -> None:
    appointment = (
        Appointment.objects.select_related("service", "staff")
        .filter(pk=appointment_id, tenant_id=tenant_id)
        .first()
    )
    if appointment is None:
        return
    record = CalendarEvent.objects.filter(tenant_id=tenant_id, appointment_id=appointment_id).first()
    target = _target(appointment) if _owed(appointment) else None
    if target is not None and _meeting_event_on(appointment, target):
        target = None  # an event of ours written there before the meeting was made goes (below)
    if record is not None and record.connection is not None and _elsewhere(record, target):
        writer = _writers.get(record.connection.provider)
        if writer is not None and record.connection.status == CalendarConnection.Status.CONNECTED:
            with as_job(writer.outages, writer.unusable):
                writer.remove(record)
    if target is None:
        return
    writer = _writers.get(target.provider)
    if writer is None:
        return
    if record is None:
        record, _ = CalendarEvent.objects.get_or_create(
            tenant_id=tenant_id,
            appointment=appointment,
            defaults={"connection": target, "calendar_id": target.write_calendar_id},
        )
    with as_job(writer.outages, writer.unusable):
        writer.put(appointment, target, record)


def _owed(appointment: Appointment) -> bool:
    """A confirmed seat in it: the event is the staff member's record that the appointment happens."""
    return Booking.objects.filter(
        tenant_id=appointment.tenant_id, appointment=appointment, status=Booking.Status.CONFIRMED
    ).exists()


def _target(appointment: Appointment) -> CalendarConnection | None:
    return (
        CalendarConnection.objects.filter(
            tenant_id=appointment.tenant_id,
            staff_id=appointment.staff_id,
            status=CalendarConnection.Status.CONNECTED,
        )
        .exclude(write_calendar_id="")
        .order_by("provider")
        .first()
    )


def _meeting_event_on(appointment: Appointment, target: CalendarConnection) -> bool:
    """Whether the appointment's video meeting is (or is about to be) an event on `target`'s calendar."""
    carrier = meeting_carrier(appointment)
    return (
        carrier is not None
        and MEETING_EVENTS.get(carrier.provider) == target.provider
        and carrier.connection_id == target.pk
    )


def _elsewhere(record: CalendarEvent, target: CalendarConnection | None) -> bool:
    """The event exists (or may) where it should no longer be: cancelled, another staff member or calendar."""
    if record.state in (CalendarEvent.State.DELETED, CalendarEvent.State.GONE):
        return False
    return (
        target is None or record.connection_id != target.pk or record.calendar_id != target.write_calendar_id
    )
