"""Request and response bodies of the catalog's API (`api/catalog.py`): staff members with their working
hours, and services with their meeting options."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, EmailStr, Field, StrictBool, field_validator, model_validator

from rendez.api import extensions
from rendez.api.question_schemas import QuestionOut
from rendez.api.schemas import Id, Input, Phone, Price, StrictInt, WallTime, check_zone, patch_schema
from rendez.scheduling.models import Service, Staff, WorkingHours


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

    _zone = field_validator("timezone")(check_zone)


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

    _zone = field_validator("timezone")(check_zone)


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


class StaffCalendarOut(Schema):
    provider: Literal["google", "microsoft"]
    status: Literal["connected", "needs_reconnect"]
    account_email: str
    busy_calendar_ids: list[str]
    write_calendar_id: str = Field(description="Where appointments are written; empty: nowhere")
    last_synced_at: datetime | None


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
    calendars: list[StaffCalendarOut] = Field(
        description="Their own calendars connected to Rendez (busy times read, appointments written)"
    )

    @staticmethod
    def resolve_calendars(member: Staff) -> list[dict]:
        return extensions.staff_list("calendars", member)

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
