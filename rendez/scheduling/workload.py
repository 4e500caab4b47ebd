"""How much a staff member works: the sessions that caps and "least busy" count.

A session is an appointment someone holds or held a seat in: a booking of it is pending, confirmed,
completed or a no-show. Completed bookings give their seats back (services.set_status), so counting seats
would let a coach whose morning is marked done take more than their daily maximum in the afternoon; a group
session counts once however many joined it, as it is one hour of the coach's day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

from rendez.scheduling.availability import Interval
from rendez.scheduling.calendars import LONGEST_BLOCK
from rendez.scheduling.models import Appointment, Booking

TAKES_PLACE = (
    Booking.Status.PENDING,
    Booking.Status.CONFIRMED,
    Booking.Status.COMPLETED,
    Booking.Status.NO_SHOW,
)


def sessions(staff_ids: Iterable[int], span: Interval) -> QuerySet[Appointment]:
    """The sessions of `staff_ids` starting within `span`."""
    held = Booking.objects.filter(appointment=OuterRef("pk"), status__in=TAKES_PLACE)
    return Appointment.objects.filter(
        staff_id__in=list(staff_ids),
        start__gte=span.start,
        start__lt=span.end,
        # Implied by the start (a block begins at most LONGEST_BLOCK before it): a range of the staff member's
        # busy index instead of their whole history.
        block_start__gte=span.start - LONGEST_BLOCK,
        block_start__lt=span.end,
    ).filter(Exists(held))


def session_count(staff_id: int, span: Interval) -> int:
    return sessions([staff_id], span).count()


def session_starts(staff_ids: Iterable[int], span: Interval) -> list[tuple[int, datetime]]:
    """(staff id, start) of every session of `staff_ids` starting within `span`."""
    return list(sessions(staff_ids, span).values_list("staff_id", "start"))


def sessions_by_staff(staff_ids: Iterable[int], span: Interval) -> Counter[int]:
    return Counter(staff_id for staff_id, _ in session_starts(staff_ids, span))
