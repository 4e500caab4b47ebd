"""Request and response bodies of bookings and appointments (`api/bookings.py`, `api/series.py`): the
customer, the booking, its changes and its history."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import EmailStr, Field, StrictBool, StrictStr, field_validator

from rendez.api.catalog_schemas import AssignmentPolicy
from rendez.api.meeting_schemas import MeetingOut
from rendez.api.question_schemas import AnswerOut
from rendez.api.schemas import Id, Input, IsoDate, IsoDateTime, Phone, StaffChoice, StrictInt, check_zone
from rendez.conferencing.queries import meeting_view
from rendez.scheduling.changes import REASON_MAX, who_made
from rendez.scheduling.models import Appointment, Booking, BookingChange


class CustomerIn(Input):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: Phone = ""
    timezone: str = ""

    _zone = field_validator("timezone")(check_zone)


class CustomerOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    timezone: str


# Answers to the service's questions, on a booking and on a series (checked by api/answers.py).
Answers = dict[str, StrictStr | StrictBool | None]
ANSWERS = (
    "Answers to the service's questions by question id: text, one of a choice's options, or true/false for a "
    "checkbox"
)
ANSWERS_EXAMPLE = {"12": "Beginner", "13": True}


class BookingIn(Input):
    service_id: Id
    staff_id: StaffChoice = Field(
        "any", description="A staff member's id, or any (also when left out): the service's policy picks"
    )
    start: IsoDateTime = Field(description="ISO 8601 with a UTC offset, e.g. 2026-12-01T09:00:00+01:00")
    customer: CustomerIn
    party_size: StrictInt = Field(1, ge=1, le=1000)
    notes: str = Field("", max_length=2000)
    answers: Answers = Field(default_factory=dict, description=ANSWERS, examples=[ANSWERS_EXAMPLE])


REASON_DESCRIPTION = (
    "Why (optional): kept in the booking's history (`changes`) and given to staff in their messages "
    "(`{change_reason}`), never sent to the customer"
)


class ChangeIn(Input):
    """The body of a cancellation: optional, as is its one field."""

    reason: str = Field("", max_length=REASON_MAX, description=REASON_DESCRIPTION)


class RescheduleIn(Input):
    start: IsoDateTime
    reason: str = Field("", max_length=REASON_MAX, description=REASON_DESCRIPTION)
    staff_id: Id | None = None
    service_id: Id | None = Field(
        None,
        description=(
            "Another service for the appointment (same rules as booking: offered by the staff member, free "
            "for its duration and buffers, room for every seat); its meeting follows"
        ),
    )


BookingStatus = Literal["pending", "confirmed", "cancelled", "rejected", "completed", "no_show"]


class BookingFilters(Input):
    when: Literal["upcoming", "past", "all"] = Field(
        "upcoming",
        description="upcoming: appointments not ended yet, soonest first (the default); past: ended ones, "
        "latest first; all: every booking, earliest first",
    )
    status: BookingStatus | None = None
    date_from: IsoDate | None = Field(None, description="Appointments starting on or after this day (UTC)")
    date_to: IsoDate | None = Field(None, description="Appointments starting on or before this day (UTC)")
    customer_email: str | None = Field(None, max_length=254)


class AppointmentFilters(Input):
    date_from: IsoDate | None = Field(None, description="Appointments starting on or after this day (UTC)")
    date_to: IsoDate | None = Field(None, description="Appointments starting on or before this day (UTC)")


class StatusIn(Input):
    status: BookingStatus
    reason: str = Field("", max_length=REASON_MAX, description=REASON_DESCRIPTION)


ChangeKind = Literal["rescheduled", "service_changed", "cancelled", "status_changed"]


class BookingChangeOut(Schema):
    """One change to a booking, newest first: what, when, why and by whom."""

    kind: ChangeKind
    summary: str = Field(description="What changed, as written then (times in the business's zone)")
    reason: str = Field(description="The reason given; empty when none was")
    by: str = Field(description='"the customer", the name of the person of the business, or "API"')
    at: datetime

    @staticmethod
    def resolve_by(change: BookingChange) -> str:
        return who_made(change)


def _meeting(appointment: Appointment, for_booking: Booking | None = None) -> dict[str, Any] | None:
    view = meeting_view(appointment, for_booking)
    return view.as_dict() if view is not None else None


class BookingOut(Schema):
    id: int
    appointment_id: int
    service_id: int
    staff_id: int
    status: BookingStatus
    start: datetime
    end: datetime
    customer: CustomerOut
    party_size: int
    notes: str
    manage_token: str
    created_at: datetime
    meeting: MeetingOut | None
    answers: list[AnswerOut]
    changes: list[BookingChangeOut] | None = Field(
        None, description="The booking's history, newest first: in `GET /bookings/{id}` and after a change"
    )
    assigned_by: AssignmentPolicy | None = Field(
        description="The policy that chose the staff member for 'any available'; null when a person chose"
    )

    @staticmethod
    def resolve_changes(booking: Booking) -> list[BookingChange] | None:
        # Only where the view read them (one query for one booking), not on every row of a list.
        return getattr(booking, "change_history", None)

    @staticmethod
    def resolve_assigned_by(booking: Booking) -> str | None:
        return booking.assigned_by or None

    series_id: int | None = Field(None, description="The recurring series this booking is an occurrence of")

    @staticmethod
    def resolve_service_id(booking: Booking) -> int:
        return booking.appointment.service_id

    @staticmethod
    def resolve_staff_id(booking: Booking) -> int:
        return booking.appointment.staff_id

    @staticmethod
    def resolve_start(booking: Booking) -> datetime:
        return booking.appointment.start

    @staticmethod
    def resolve_end(booking: Booking) -> datetime:
        return booking.appointment.end

    @staticmethod
    def resolve_meeting(booking: Booking) -> dict[str, str | None] | None:
        # The customer's own link when the meeting gives each attendee one (per_attendee_links).
        return _meeting(booking.appointment, booking)


class AppointmentBookingOut(Schema):
    id: int
    status: BookingStatus
    customer: CustomerOut
    party_size: int
    answers: list[AnswerOut]


class AppointmentOut(Schema):
    id: int
    service_id: int
    staff_id: int
    start: datetime
    end: datetime
    capacity: int
    seats_taken: int
    seats_left: int
    bookings: list[AppointmentBookingOut]
    meeting: MeetingOut | None

    @staticmethod
    def resolve_bookings(appointment) -> list:
        return list(appointment.bookings.all())

    @staticmethod
    def resolve_meeting(appointment: Appointment) -> dict[str, str | None] | None:
        return _meeting(appointment)
