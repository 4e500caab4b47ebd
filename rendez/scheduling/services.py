"""The only writers of bookings and appointments: the one module the rest of Rendez calls to change them.

Each function runs in one transaction that locks the staff members concerned (PostgreSQL row locks; SQLite
takes its single write lock at BEGIN IMMEDIATE), re-checks availability under the lock, writes, and enqueues
the follow-up jobs (meeting sync, notifications) in the same transaction, so a commit always carries its
consequences.

The work is done by private modules, one per kind of change; nothing outside `scheduling` imports them:
- `_booking_create`: new bookings (`book`, `book_by_ids`) and the customers they upsert;
- `_booking_moves`: rescheduling a booking or a whole appointment;
- `_booking_status`: status changes along `TRANSITIONS`, cancelling among them;
- `_booking_series`: recurring series, booked, moved and cancelled through the three above;
- beneath them `_booking_locks` (staff locks, rows read again under them), `_booking_seats` (seats checked
  against the calendar, taken, given back, moved), `_booking_checks` (refusals the rows alone can tell)
  and `_booking_errors`.
"""

from __future__ import annotations

from rendez.scheduling._booking_create import CustomerDetails, book, book_by_ids, upsert_customer
from rendez.scheduling._booking_errors import BookingError, UnknownId
from rendez.scheduling._booking_moves import reschedule_appointment, reschedule_booking
from rendez.scheduling._booking_series import (
    SeriesConflict,
    SeriesOutcome,
    SkippedOccurrence,
    book_series,
    cancel_series,
    reschedule_series,
    series_bookings,
    series_starts,
)
from rendez.scheduling._booking_status import AFTER_START_ONLY, TRANSITIONS, cancel_booking, set_status

__all__ = [
    "AFTER_START_ONLY",
    "TRANSITIONS",
    "BookingError",
    "CustomerDetails",
    "SeriesConflict",
    "SeriesOutcome",
    "SkippedOccurrence",
    "UnknownId",
    "book",
    "book_by_ids",
    "book_series",
    "cancel_booking",
    "cancel_series",
    "reschedule_appointment",
    "reschedule_booking",
    "reschedule_series",
    "series_bookings",
    "series_starts",
    "set_status",
    "upsert_customer",
]
