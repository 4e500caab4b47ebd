"""Booking "any available" staff member: the first candidate free at the asked time gets the booking.

The public booking page and the panel both offer it; the booking itself is made by `services.book`, the one
writer of bookings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from django.utils import timezone

from rendez.scheduling import services
from rendez.scheduling.availability import Interval
from rendez.scheduling.calendars import find_slots
from rendez.scheduling.models import Booking, Service, Staff


def book_first_free(
    service: Service,
    candidates: Sequence[Staff],
    start: datetime,
    customer: services.CustomerDetails,
    *,
    party_size: int = 1,
    notes: str = "",
    answers: Sequence[Mapping[str, object]] = (),
) -> Booking:
    """Book `start` with the first candidate free then. With nobody free, the first candidate's refusal says
    why (taken, too soon, in the past); a candidate taken in the meantime hands over to the next one."""
    now = timezone.now()
    window = Interval(start, start + timedelta(minutes=1))
    free = [
        member
        for member, slot in find_slots(service, candidates, window, now)
        if slot.start == start and slot.seats_left >= party_size
    ]
    refusal: services.BookingError | None = None
    for member in free or list(candidates[:1]):
        try:
            return services.book(
                service=service,
                staff=member,
                start=start,
                customer=customer,
                party_size=party_size,
                notes=notes,
                now=now,
                answers=answers,
            )
        except services.BookingError as error:
            if not error.conflict:
                raise
            refusal = error
    assert refusal is not None
    raise refusal
