"""Request and response bodies of REST API v1."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import AwareDatetime, EmailStr, Field, field_validator

from rendez.scheduling.models import Booking, Service
from rendez.tenants.models import validate_timezone


def _check_zone(value: str | None) -> str | None:
    if value:
        try:
            validate_timezone(value)
        except Exception:
            raise ValueError(f"{value!r} is not an IANA time zone") from None
    return value


class WorkingHoursIn(Schema):
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    start: time
    end: time


class StaffIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | Literal[""] = ""
    phone: str = Field("", max_length=40)
    timezone: str = "UTC"
    is_active: bool = True
    working_hours: list[WorkingHoursIn] = []

    _zone = field_validator("timezone")(_check_zone)


class StaffPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    email: EmailStr | Literal[""] | None = None
    phone: str | None = Field(None, max_length=40)
    timezone: str | None = None
    is_active: bool | None = None
    working_hours: list[WorkingHoursIn] | None = None

    _zone = field_validator("timezone")(_check_zone)


class StaffOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    timezone: str
    is_active: bool
    working_hours: list[WorkingHoursIn]
    service_ids: list[int]


LocationType = Literal["video", "in_person", "phone"]
InitialStatus = Literal["confirmed", "pending"]


class ServiceIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    duration_minutes: int = Field(ge=5, le=24 * 60)
    buffer_before_minutes: int = Field(0, ge=0, le=24 * 60)
    buffer_after_minutes: int = Field(0, ge=0, le=24 * 60)
    capacity: int = Field(1, ge=1, le=1000)
    slot_interval_minutes: int | None = Field(None, ge=5, le=24 * 60)
    min_notice_minutes: int = Field(0, ge=0, le=365 * 24 * 60)
    horizon_days: int = Field(60, ge=1, le=730)
    price: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    location_type: LocationType = "video"
    initial_status: InitialStatus = "confirmed"
    zoom_enabled: bool = False
    is_active: bool = True
    staff_ids: list[int] = []


class ServicePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    duration_minutes: int | None = Field(None, ge=5, le=24 * 60)
    buffer_before_minutes: int | None = Field(None, ge=0, le=24 * 60)
    buffer_after_minutes: int | None = Field(None, ge=0, le=24 * 60)
    capacity: int | None = Field(None, ge=1, le=1000)
    slot_interval_minutes: int | None = Field(None, ge=5, le=24 * 60)
    min_notice_minutes: int | None = Field(None, ge=0, le=365 * 24 * 60)
    horizon_days: int | None = Field(None, ge=1, le=730)
    price: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    location_type: LocationType | None = None
    initial_status: InitialStatus | None = None
    zoom_enabled: bool | None = None
    is_active: bool | None = None
    staff_ids: list[int] | None = None


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    capacity: int
    slot_interval_minutes: int
    min_notice_minutes: int
    horizon_days: int
    price: Decimal
    location_type: str
    initial_status: str
    zoom_enabled: bool
    is_active: bool
    staff_ids: list[int]

    @staticmethod
    def resolve_slot_interval_minutes(service: Service) -> int:
        return service.slot_interval_minutes or service.duration_minutes

    @staticmethod
    def resolve_staff_ids(service: Service) -> list[int]:
        return sorted(member.pk for member in service.staff.all())


class SlotOut(Schema):
    start: datetime
    end: datetime
    staff_id: int
    seats_left: int


class SlotQuery(Schema):
    service_id: int
    staff_id: int | None = None
    date_from: date
    date_to: date
    tz: str | None = Field(
        None, description="IANA zone for the dates and the returned times; default: the tenant's"
    )

    _zone = field_validator("tz")(_check_zone)


class CustomerIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: str = Field("", max_length=40)
    timezone: str = ""

    _zone = field_validator("timezone")(_check_zone)


class CustomerOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    timezone: str


class BookingIn(Schema):
    service_id: int
    staff_id: int
    start: AwareDatetime = Field(description="ISO 8601 with a UTC offset, e.g. 2026-12-01T09:00:00+01:00")
    customer: CustomerIn
    party_size: int = Field(1, ge=1, le=1000)
    notes: str = Field("", max_length=2000)


class RescheduleIn(Schema):
    start: AwareDatetime
    staff_id: int | None = None


BookingStatus = Literal["pending", "confirmed", "cancelled", "rejected", "completed", "no_show"]


class BookingFilters(Schema):
    status: BookingStatus | None = None
    date_from: date | None = Field(None, description="Appointments starting on or after this day (UTC)")
    date_to: date | None = Field(None, description="Appointments starting on or before this day (UTC)")
    customer_email: str | None = Field(None, max_length=254)


class AppointmentFilters(Schema):
    date_from: date | None = Field(None, description="Appointments starting on or after this day (UTC)")
    date_to: date | None = Field(None, description="Appointments starting on or before this day (UTC)")


class StatusIn(Schema):
    status: BookingStatus


class MeetingOut(Schema):
    provider: str
    state: str
    meeting_id: str | None
    join_url: str | None
    password: str | None


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
    def resolve_meeting(booking: Booking) -> dict | None:
        from rendez.api.meetings import meeting_of

        return meeting_of(booking.appointment)


class AppointmentBookingOut(Schema):
    id: int
    status: BookingStatus
    customer: CustomerOut
    party_size: int


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
    def resolve_meeting(appointment) -> dict | None:
        from rendez.api.meetings import meeting_of

        return meeting_of(appointment)
