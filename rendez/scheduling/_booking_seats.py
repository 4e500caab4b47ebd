"""Seats in appointments, for the booking writers (`services.py`): checked against the calendar, taken in
the open session or a new appointment, given back, moved. The caller holds the staff lock."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from rendez.lib import rows
from rendez.scheduling import events
from rendez.scheduling._booking_errors import BookingError
from rendez.scheduling.availability import (
    Calendar,
    Interval,
    Refusal,
    blocked_span,
    check_request,
    check_start,
)
from rendez.scheduling.calendars import Schedules, load_calendars, rules_for
from rendez.scheduling.models import Appointment, Service, Staff


def open_session(
    service: Service, staff: Staff, start: datetime, exclude: int | None = None
) -> Appointment | None:
    sessions = Appointment.objects.filter(service=service, staff=staff, start=start, seats_taken__gt=0)
    if exclude is not None:
        sessions = sessions.exclude(pk=exclude)
    return sessions.first()


def check_fits(
    service: Service,
    staff: Staff,
    start: datetime,
    party_size: int,
    now: datetime,
    exclude: int | None = None,
    schedules: Schedules | None = None,
    external: bool = True,
) -> Calendar:
    """Refuse `start` unless `party_size` fits there; the calendar that says so (with `schedules` if read;
    `external` as `load_calendars` takes it)."""
    if timezone.is_naive(start):
        raise BookingError("naive_start", "The start time needs a UTC offset or zone.", field="start")
    rules = rules_for(service)
    refusal = check_request(rules, start, now, party_size)
    if refusal is not None:
        raise BookingError.from_refusal(refusal)
    window = Interval(start, start + service.duration)
    calendar = load_calendars(service, [staff], window, exclude, schedules, external)[staff.pk]
    verdict = check_start(rules, calendar, start, now, party_size)
    if isinstance(verdict, Refusal):
        raise BookingError.from_refusal(verdict)
    return calendar


def take_seats(
    service: Service,
    staff: Staff,
    start: datetime,
    party_size: int,
    now: datetime,
    schedules: Schedules | None = None,
    external: bool = True,
) -> Appointment:
    """Seats at `start`: in the open session there, or in a new appointment. Caller holds the staff lock;
    `external` False when the tenant's row, read under that lock, says it has no calendars connected."""
    calendar = check_fits(service, staff, start, party_size, now, schedules=schedules, external=external)
    # The calendar just read holds the open session, if any: a one-to-one booking needs no look for one.
    session = next((busy for busy in calendar.appointments if busy.joinable and busy.start == start), None)
    if session is not None:
        session_id = cast(int, session.key)  # load_calendars keys busy appointments by id
        Appointment.objects.filter(pk=session_id).update(
            seats_taken=F("seats_taken") + party_size, capacity=Greatest(F("capacity"), service.capacity)
        )
        return Appointment.objects.get(pk=session_id)
    return rows.insert(
        Appointment(
            tenant_id=service.tenant_id,
            service=service,
            staff=staff,
            **_times(service, start),
            seats_taken=party_size,
            capacity=service.capacity,
        )
    )


def _times(service: Service, start: datetime) -> dict[str, datetime]:
    """An appointment's start and end, and the span it blocks (the service's buffers when it was booked)."""
    block = blocked_span(start, rules_for(service))
    return {
        "start": start,
        "end": start + service.duration,
        "block_start": block.start,
        "block_end": block.end,
    }


def release_seats(appointment: Appointment, party_size: int) -> None:
    Appointment.objects.filter(pk=appointment.pk).update(seats_taken=F("seats_taken") - party_size)
    # Only the seats changed: the rows read with it under the lock (its tenant, for the announcement) stay.
    appointment.refresh_from_db(fields=["seats_taken"])
    events.appointment_changed(appointment)


def move_appointment(
    appointment: Appointment, staff: Staff, start: datetime, now: datetime, *, service: Service | None = None
) -> None:
    """Give the appointment its new time, staff member and service; checked as a booking of all its seats
    (a new service's capacity must hold them, its duration and buffers must fit)."""
    service = service or appointment.service
    check_fits(service, staff, start, appointment.seats_taken, now, exclude=appointment.pk)
    if service.pk != appointment.service_id:
        appointment.capacity = service.capacity
    appointment.staff, appointment.service = staff, service
    for field, value in _times(service, start).items():
        setattr(appointment, field, value)
    appointment.save(
        update_fields=[
            "staff",
            "service",
            "capacity",
            "start",
            "end",
            "block_start",
            "block_end",
            "updated_at",
        ]
    )
    events.appointment_changed(appointment)
