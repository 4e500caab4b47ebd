"""Request and response bodies of REST API v1.

Bodies are parsed strictly where JSON has a type of its own (integers, booleans: `0` is not `false`), and
dates and times only in their ISO forms (pydantic would otherwise read `0` as 1970-01-01), so the OpenAPI
document says exactly what is accepted.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    ModelWrapValidatorHandler,
    Strict,
    StrictBool,
    StrictStr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from rendez.api import extensions
from rendez.api.question_schemas import AnswerOut, QuestionOut
from rendez.conferencing.queries import meeting_view
from rendez.lib.phones import PHONE_MAX, normalize_phone
from rendez.scheduling.changes import REASON_MAX, who_made
from rendez.scheduling.models import Appointment, Booking, BookingChange, Service, Staff, WorkingHours
from rendez.tenants.models import validate_timezone

StrictInt = Annotated[int, Strict()]
# Ids fit the database's 64-bit keys; a bigger number is refused here instead of overflowing a query.
MAX_ID = 2**63 - 1
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
# "Any available" staff member: the service's assignment policy picks who (docs/scheduling.md).
ANY_STAFF = "any"


def _staff_choice(value: Any) -> Any:
    # One sentence for both branches, where the union would answer "Must be a whole number." to "anyone".
    if value == ANY_STAFF or (type(value) is int) or (isinstance(value, str) and value.isdigit()):
        return value
    raise ValueError('Must be a staff member\'s id or "any".')


StaffChoice = Annotated[Id | Literal["any"], BeforeValidator(_staff_choice)]
QueryStaffChoice = Annotated[QueryId | Literal["any"], BeforeValidator(_staff_choice)]

WALL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}"
PRICE_PATTERN = r"^\d{1,8}(\.\d{1,2})?$"


def _iso(pattern: str, what: str):
    def check(value: Any) -> Any:
        if isinstance(value, str) and not re.match(pattern, value):
            raise ValueError(f"Must be {what}.")
        if isinstance(value, int | float):
            raise ValueError(f"Must be {what}, not a number.")
        return value

    return BeforeValidator(check)


# Working hours are wall-clock times in the staff member's zone: an offset would mean nothing there.
WallTime = Annotated[
    time,
    _iso(WALL_TIME_PATTERN, "a wall-clock time HH:MM or HH:MM:SS, without offset"),
    WithJsonSchema({"type": "string", "pattern": WALL_TIME_PATTERN, "examples": ["09:00"]}),
]
IsoDate = Annotated[date, _iso(DATE_PATTERN, "a date YYYY-MM-DD")]
IsoDateTime = Annotated[AwareDatetime, _iso(DATETIME_PATTERN, "an ISO 8601 date and time with a UTC offset")]
# The API has no business whose country a national number could belong to: numbers come international.
Phone = Annotated[
    str,
    Field(max_length=PHONE_MAX),
    AfterValidator(normalize_phone),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": PHONE_MAX,
            "description": "International format with the country code; stored and returned as E.164",
            "examples": ["+49 30 1234567"],
        }
    ),
]
Price = Annotated[
    Decimal,
    Field(ge=0, max_digits=10, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 99999999.99},
                {"type": "string", "pattern": PRICE_PATTERN},
            ]
        }
    ),
]


def _check_zone(value: str | None) -> str | None:
    if value:
        try:
            validate_timezone(value)
        except Exception:
            # A long value is not echoed back: it is not a zone name mistyped.
            name = repr(value) if len(value) <= 64 else "That"
            raise ValueError(f"{name} is not a time zone; use an IANA name such as Europe/Berlin.") from None
    return value


class Input(Schema):
    """A request body or query: a JSON object. PostgreSQL cannot store NUL characters, so no text may carry
    one."""

    @model_validator(mode="wrap")
    @classmethod
    def _an_object(cls, value: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        # Ninja's schemas read attributes off whatever they are given, so `[]`, `"x"` or `null` passed as a
        # body with every field optional (a PATCH) and changed nothing: a client sending one has a bug. A wrap
        # validator, because it runs before ninja's own (a "before" one would see ninja's attribute reader).
        if not isinstance(value, dict):
            raise ValueError("Must be a JSON object.")
        return handler(value)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Must not contain NUL characters.")
        return value


def patch_schema(nullable: frozenset[str] = frozenset()):
    """A PATCH body leaves out what does not change; `null` is no way to say that, except for `nullable`
    fields."""

    def adjust(schema: dict[str, Any]) -> None:
        for name, prop in schema.get("properties", {}).items():
            branches = prop.get("anyOf")
            if name in nullable or not branches:
                continue
            kept = [branch for branch in branches if branch != {"type": "null"}]
            prop.pop("default", None)
            if len(kept) == 1:
                prop.pop("anyOf")
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept

    return ConfigDict(json_schema_extra=adjust)


class WorkingHoursIn(Input):
    weekday: StrictInt = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    start: WallTime
    end: WallTime


WEIGHT = "Round robin gives staff members bookings in proportion to their weight (1 to 100)"
PRIORITY = "Higher is asked first for 'any available' bookings (-100 to 100; default 0)"
PER_DAY = "Most sessions a day (own zone) 'any available' gives them; null: no cap; 0: never"
PER_WEEK = "Most sessions a week, Monday to Sunday (own zone), 'any available' gives them; null: no cap"


class StaffIn(Input):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | Literal[""] = ""
    phone: Phone = ""
    timezone: str = "UTC"
    is_active: StrictBool = True
    working_hours: list[WorkingHoursIn] = []
    assignment_weight: StrictInt = Field(1, ge=1, le=100, description=WEIGHT)
    assignment_priority: StrictInt = Field(0, ge=-100, le=100, description=PRIORITY)
    max_assignments_per_day: StrictInt | None = Field(None, ge=0, le=1000, description=PER_DAY)
    max_assignments_per_week: StrictInt | None = Field(None, ge=0, le=1000, description=PER_WEEK)

    _zone = field_validator("timezone")(_check_zone)


class StaffPatch(Input):
    model_config = patch_schema(nullable=frozenset({"max_assignments_per_day", "max_assignments_per_week"}))

    name: str | None = Field(None, min_length=1, max_length=200)
    email: EmailStr | Literal[""] | None = None
    phone: Phone | None = None
    timezone: str | None = None
    is_active: StrictBool | None = None
    working_hours: list[WorkingHoursIn] | None = None
    assignment_weight: StrictInt | None = Field(None, ge=1, le=100, description=WEIGHT)
    assignment_priority: StrictInt | None = Field(None, ge=-100, le=100, description=PRIORITY)
    max_assignments_per_day: StrictInt | None = Field(None, ge=0, le=1000, description=PER_DAY)
    max_assignments_per_week: StrictInt | None = Field(None, ge=0, le=1000, description=PER_WEEK)

    _zone = field_validator("timezone")(_check_zone)


class WorkingHoursOut(Schema):
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    start: WallTime
    end: WallTime

    @staticmethod
    def resolve_start(hours: WorkingHours) -> time:
        return hours.start_time

    @staticmethod
    def resolve_end(hours: WorkingHours) -> time:
        return hours.end_time


class StaffZoomOut(Schema):
    mode: Literal["staff_oauth", "tenant_oauth", "tenant_s2s"]
    status: Literal["connected", "needs_reconnect"]
    zoom_user_id: str
    email: str


class StaffOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    timezone: str
    is_active: bool
    working_hours: list[WorkingHoursOut]
    service_ids: list[int]
    assignment_weight: int
    assignment_priority: int
    max_assignments_per_day: int | None
    max_assignments_per_week: int | None
    zoom: StaffZoomOut | None = Field(description="Who this staff member hosts Zoom meetings as, or null")

    @staticmethod
    def resolve_zoom(member: Staff) -> dict | None:
        return extensions.staff_section("zoom", member)

    @staticmethod
    def resolve_working_hours(member: Staff) -> list[WorkingHours]:
        return list(member.working_hours.all())

    @staticmethod
    def resolve_service_ids(member: Staff) -> list[int]:
        return sorted(service.pk for service in member.services.all())


LocationType = Literal["video", "in_person", "phone"]
InitialStatus = Literal["confirmed", "pending"]
VideoProvider = Literal["zoom", "google_meet", "teams"]
ZOOM_ALIAS = 'The older name of video_provider == "zoom": true chooses Zoom, false turns Zoom off'
FALLBACK = "Makes the meeting when video_provider cannot (not connected, failed); differs from it"


AutoRecording = Literal["local", "cloud", "none"]
AssignmentPolicy = Literal["round_robin", "least_busy", "first_free"]
ASSIGNMENT = (
    "Who gets a booking made for 'any available': round_robin (the fewest recent bookings for their weight), "
    "least_busy (the fewest sessions that week) or first_free (by priority, then name)"
)


class MeetingOptionsIn(Input):
    """Per-service meeting options; each null (or left out) = the host's own default, never sent to the
    provider. An option the host's account has locked is left out when the meeting is made."""

    model_config = ConfigDict(extra="forbid")

    waiting_room: StrictBool | None = None
    join_before_host: StrictBool | None = None
    mute_upon_entry: StrictBool | None = None
    auto_recording: AutoRecording | None = None

    @model_validator(mode="before")
    @classmethod
    def _known_options(cls, value: Any) -> Any:
        if isinstance(value, dict) and (unknown := sorted(set(value) - set(cls.model_fields))):
            known = ", ".join(cls.model_fields)
            raise ValueError(f"Unknown meeting option {', '.join(map(repr, unknown))}; known: {known}.")
        return value

    def chosen(self) -> dict[str, bool | str]:
        """The options set, as the service stores them (an unset one is absent, not null)."""
        return {name: value for name, value in self.dict().items() if value is not None}


class MeetingOptionsOut(Schema):
    waiting_room: bool | None
    join_before_host: bool | None
    mute_upon_entry: bool | None
    auto_recording: AutoRecording | None


class ServiceIn(Input):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    duration_minutes: StrictInt = Field(ge=5, le=24 * 60)
    buffer_before_minutes: StrictInt = Field(0, ge=0, le=24 * 60)
    buffer_after_minutes: StrictInt = Field(0, ge=0, le=24 * 60)
    capacity: StrictInt = Field(1, ge=1, le=1000)
    slot_interval_minutes: StrictInt | None = Field(None, ge=5, le=24 * 60)
    min_notice_minutes: StrictInt = Field(0, ge=0, le=365 * 24 * 60)
    horizon_days: StrictInt = Field(60, ge=1, le=730)
    price: Price = Decimal("0")
    location_type: LocationType = "video"
    initial_status: InitialStatus = "confirmed"
    video_provider: VideoProvider | None = Field(None, description="Who makes its video meetings; null: none")
    fallback_video_provider: VideoProvider | None = Field(None, description=FALLBACK)
    zoom_enabled: StrictBool = Field(False, description=ZOOM_ALIAS)
    meeting_options: MeetingOptionsIn = Field(default_factory=MeetingOptionsIn)
    per_attendee_links: StrictBool | None = Field(
        None,
        description=(
            "Personal join links for each attendee of a group session (Zoom registrants). Left out: on when "
            'capacity > 1 and video_provider is "zoom"'
        ),
    )
    is_active: StrictBool = True
    staff_ids: list[Id] = []
    assignment: AssignmentPolicy = Field("round_robin", description=ASSIGNMENT)
    series_allowed: StrictBool = Field(False, description="Customers and staff may book recurring series")


class ServicePatch(Input):
    model_config = patch_schema(
        nullable=frozenset({"slot_interval_minutes", "video_provider", "fallback_video_provider"})
    )

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    duration_minutes: StrictInt | None = Field(None, ge=5, le=24 * 60)
    buffer_before_minutes: StrictInt | None = Field(None, ge=0, le=24 * 60)
    buffer_after_minutes: StrictInt | None = Field(None, ge=0, le=24 * 60)
    capacity: StrictInt | None = Field(None, ge=1, le=1000)
    slot_interval_minutes: StrictInt | None = Field(
        None, ge=5, le=24 * 60, description="null: slots start every `duration_minutes`"
    )
    min_notice_minutes: StrictInt | None = Field(None, ge=0, le=365 * 24 * 60)
    horizon_days: StrictInt | None = Field(None, ge=1, le=730)
    price: Price | None = None
    location_type: LocationType | None = None
    initial_status: InitialStatus | None = None
    video_provider: VideoProvider | None = Field(None, description="null: no video meetings")
    fallback_video_provider: VideoProvider | None = Field(None, description=FALLBACK)
    zoom_enabled: StrictBool | None = Field(None, description=ZOOM_ALIAS)
    per_attendee_links: StrictBool | None = None
    meeting_options: MeetingOptionsIn | None = Field(
        None,
        description="Only the options named change; an option set to null goes back to the host's default",
    )
    is_active: StrictBool | None = None
    staff_ids: list[Id] | None = None
    assignment: AssignmentPolicy | None = Field(None, description=ASSIGNMENT)
    series_allowed: StrictBool | None = None


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
    video_provider: VideoProvider | None
    fallback_video_provider: VideoProvider | None
    zoom_enabled: bool = Field(description=ZOOM_ALIAS)
    meeting_options: MeetingOptionsOut
    per_attendee_links: bool = Field(
        description="Each attendee of a group session gets a personal Zoom link (applies to meetings made "
        "while it is on, for services with capacity > 1)"
    )
    is_active: bool
    staff_ids: list[int]
    questions: list[QuestionOut] = Field(description="What the booking page asks, in order (active only)")
    assignment: AssignmentPolicy

    @staticmethod
    def resolve_questions(service: Service) -> list:
        return [question for question in service.questions.all() if question.is_active]

    series_allowed: bool

    @staticmethod
    def resolve_meeting_options(service: Service) -> dict[str, bool | str | None]:
        chosen = service.meeting_options or {}
        return {name: chosen.get(name) for name in MeetingOptionsOut.model_fields}

    @staticmethod
    def resolve_slot_interval_minutes(service: Service) -> int:
        return service.slot_interval_minutes or service.duration_minutes

    @staticmethod
    def resolve_staff_ids(service: Service) -> list[int]:
        return sorted(member.pk for member in service.staff.all())


class SlotOut(Schema):
    start: datetime
    end: datetime
    staff_id: int | None = Field(description="null when asked for staff_id=any: who is settled at booking")
    seats_left: int


class SlotQuery(Input):
    service_id: QueryId
    staff_id: QueryStaffChoice | None = Field(
        None,
        description="One staff member's slots (default: everyone's); any: each start anyone takes, once",
    )
    date_from: IsoDate
    date_to: IsoDate
    tz: str | None = Field(
        None, description="IANA zone for the dates and the returned times; default: the tenant's"
    )

    _zone = field_validator("tz")(_check_zone)


class CustomerIn(Input):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: Phone = ""
    timezone: str = ""

    _zone = field_validator("timezone")(_check_zone)


class CustomerOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    timezone: str


class BookingIn(Input):
    service_id: Id
    staff_id: StaffChoice = Field(
        "any", description="A staff member's id, or any (also when left out): the service's policy picks"
    )
    start: IsoDateTime = Field(description="ISO 8601 with a UTC offset, e.g. 2026-12-01T09:00:00+01:00")
    customer: CustomerIn
    party_size: StrictInt = Field(1, ge=1, le=1000)
    notes: str = Field("", max_length=2000)
    answers: dict[str, StrictStr | StrictBool | None] = Field(
        default_factory=dict,
        description="Answers to the service's questions by question id: text, one of a choice's options, "
        "or true/false for a checkbox",
        examples=[{"12": "Beginner", "13": True}],
    )


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


# docs/integrations/zoom.md, "When things change", says what each means.
MeetingState = Literal[
    "pending", "retrying", "ready", "failed", "deleting", "deleted", "left_on_zoom", "unmanaged"
]


class MeetingChangedElsewhereOut(Schema):
    start: datetime = Field(description="The start the provider has")
    duration_minutes: int = Field(description="The duration the provider has")
    changed_at: datetime | None = Field(description="When the provider reported the change")


class MeetingOut(Schema):
    """An appointment's video meeting as its guests may see it; never the host's start link."""

    provider: str
    state: MeetingState = Field(
        description=(
            "pending: being made, or replaced after a move to another staff member; retrying: the "
            "provider failed and Rendez tries again at `next_attempt_at` (`last_error` says why); "
            "ready: live, in step; failed: a person must act (`last_error` says what); deleting: nobody "
            "holds a seat, the delete follows; deleted: gone from the provider; left_on_zoom: should be "
            "deleted but its host cannot be reached (`last_error` names the user); unmanaged: not changed "
            "by Rendez"
        )
    )
    meeting_id: str | None = Field(description="The provider's meeting id (Zoom's are 64-bit: kept as text)")
    join_url: str | None = Field(description="The guests' link; null until the meeting is ready")
    password: str | None = Field(description="The passcode the provider kept; null when there is none")
    last_error: str | None = Field(description="Why the last attempt to make or change the meeting failed")
    next_attempt_at: datetime | None = Field(
        None, description="While `retrying`: when Rendez tries again; null otherwise"
    )
    changed_elsewhere: MeetingChangedElsewhereOut | None = Field(
        None,
        description=(
            "The time the provider has for the meeting after someone (its host) changed it there, when it "
            "differs from the appointment's; null otherwise. Rendez does not move it back until the "
            "appointment itself changes."
        ),
    )


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
