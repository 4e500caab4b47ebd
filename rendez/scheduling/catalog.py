"""The only writers of the catalog: staff members, their working hours and time off, and services.

The API and the panel both call these; neither writes these rows itself. Each function runs in one transaction
and, where two writers could race, first locks the row both would change (PostgreSQL row locks; SQLite takes
its single write lock at BEGIN IMMEDIATE):

- A staff member's row, before their details, working hours or time off change. The booking writers take
  the same lock before checking availability (`_booking_locks.lock_staff`), so a booking is checked against
  the hours before a change or after it, never against a half-replaced set; and two replacements of the hours
  cannot interleave their delete and insert into the union of both.
- A service's row, before it changes. An update reads the stored meeting options and writes back the merge:
  without the lock, two updates naming different options would each write back a merge missing the other's.

A refusal is a `CatalogError` raised before anything is written, or inside the transaction it rolls back.

Changes to a staff member's hours, time off and sign-in are also written to their `StaffChange` log, in the
same transaction, naming `by` (the person who made it; None for the API and scripts): staff edit their own
schedule, and admins see what changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, time
from decimal import Decimal
from enum import Enum

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone

from rendez.scheduling import events
from rendez.scheduling.models import (
    Appointment,
    Service,
    Staff,
    StaffChange,
    TimeOff,
    VideoProvider,
    WorkingHours,
)
from rendez.tenants.models import Tenant

MeetingOptions = Mapping[str, bool | str | None]
Person = User | None


class CatalogError(Exception):
    """A refused catalog change. `field` names the input at fault (None: the change as a whole); `fields`
    holds a message per field when a model's validation found several."""

    def __init__(
        self, code: str, message: str, *, field: str | None = None, fields: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.fields = fields if fields is not None else ({field: message} if field else {})

    @classmethod
    def from_validation(cls, error: ValidationError) -> CatalogError:
        if hasattr(error, "error_dict"):
            found = {name: " ".join(error.message_dict[name]) for name in error.error_dict}
        else:
            found = {NON_FIELD_ERRORS: " ".join(error.messages)}
        message = "; ".join(
            text if name == NON_FIELD_ERRORS else f"{name}: {text}" for name, text in found.items()
        )
        field = next((name for name in found if name != NON_FIELD_ERRORS), None)
        return cls("invalid", message, field=field, fields=found)


class Keep(Enum):
    """A field left out of a change: its stored value stays."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class WorkingInterval:
    """One working interval of a weekday (0 = Monday), wall-clock times in the staff member's zone."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class StaffDetails:
    name: str
    email: str = ""
    phone: str = ""
    timezone: str = "UTC"
    is_active: bool = True
    # How "any available" treats them (docs/scheduling.md); a cap of None: no cap.
    assignment_weight: int = 1
    assignment_priority: int = 0
    max_assignments_per_day: int | None = None
    max_assignments_per_week: int | None = None


@dataclass(frozen=True)
class StaffChanges:
    name: str | Keep = KEEP
    email: str | Keep = KEEP
    phone: str | Keep = KEEP
    timezone: str | Keep = KEEP
    is_active: bool | Keep = KEEP
    working_hours: Sequence[WorkingInterval] | Keep = KEEP
    assignment_weight: int | Keep = KEEP
    assignment_priority: int | Keep = KEEP
    max_assignments_per_day: int | None | Keep = KEEP
    max_assignments_per_week: int | None | Keep = KEEP


@dataclass(frozen=True)
class ServiceDetails:
    """A new service; what is left out takes the model's default. `meeting_options` holds only the options
    chosen: one absent (or None) is left to the host's own default."""

    name: str
    duration_minutes: int
    description: str = ""
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    capacity: int = 1
    slot_interval_minutes: int | None = None
    min_notice_minutes: int = 0
    horizon_days: int = 60
    price: Decimal = Decimal("0")
    location_type: str = Service.LocationType.VIDEO
    initial_status: str = Service.InitialStatus.CONFIRMED
    # The provider making its video meetings (models.VideoProvider; None: none). `zoom_enabled` is its older
    # name for existing callers: True means "zoom", False none; given with `video_provider`, both must agree.
    video_provider: str | None | Keep = KEEP
    fallback_video_provider: str | None = None
    zoom_enabled: bool | None = None
    meeting_options: MeetingOptions | None = None
    # None: on for a group session with video (each attendee gets an own Zoom link), off otherwise.
    per_attendee_links: bool | None = None
    is_active: bool = True
    assignment: str = "round_robin"  # who gets "any available" bookings: models.Assignment
    series_allowed: bool = False


@dataclass(frozen=True)
class ServiceChanges:
    """What changes in a service. `meeting_options` names only the options that change, None returning one to
    the host's default; `slot_interval_minutes=None` means slots every `duration_minutes`."""

    name: str | Keep = KEEP
    description: str | Keep = KEEP
    duration_minutes: int | Keep = KEEP
    buffer_before_minutes: int | Keep = KEEP
    buffer_after_minutes: int | Keep = KEEP
    capacity: int | Keep = KEEP
    slot_interval_minutes: int | None | Keep = KEEP
    min_notice_minutes: int | Keep = KEEP
    horizon_days: int | Keep = KEEP
    price: Decimal | Keep = KEEP
    location_type: str | Keep = KEEP
    initial_status: str | Keep = KEEP
    video_provider: str | None | Keep = KEEP
    # Left out while the provider becomes None: cleared with it.
    fallback_video_provider: str | None | Keep = KEEP
    zoom_enabled: bool | Keep = KEEP  # alias: True chooses Zoom, False turns Zoom off
    meeting_options: MeetingOptions | Keep = KEEP
    per_attendee_links: bool | Keep = KEEP
    is_active: bool | Keep = KEEP
    staff_ids: Sequence[int] | Keep = KEEP
    assignment: str | Keep = KEEP
    series_allowed: bool | Keep = KEEP


# --- staff --------------------------------------------------------------------------------------------------


def create_staff(
    tenant: Tenant, details: StaffDetails, *, working_hours: Iterable[WorkingInterval] = ()
) -> Staff:
    intervals = _checked_hours(working_hours)
    with transaction.atomic():
        member = Staff(tenant=tenant, **_values(details))
        _save(member)
        _replace_hours(member, intervals, log=False)
    return member


def update_staff(staff: Staff, changes: StaffChanges, *, by: Person = None) -> Staff:
    """Apply `changes` to the staff member read afresh under their lock, and return that fresh row."""
    named = _named(changes)
    hours = named.pop("working_hours", KEEP)
    intervals = None if hours is KEEP else _checked_hours(hours)
    with transaction.atomic():
        member = _locked_staff(staff)
        for name, value in named.items():
            setattr(member, name, value)
        _save(member)
        if intervals is not None:
            _replace_hours(member, intervals, by)
    return member


def set_working_hours(
    staff: Staff, intervals: Iterable[WorkingInterval], *, by: Person = None
) -> list[WorkingHours]:
    """Replace the staff member's working hours with `intervals`: each ends after it starts, none overlaps
    another of its weekday (touching is fine: 09:00-12:00 and 12:00-13:00)."""
    checked = _checked_hours(intervals)
    with transaction.atomic():
        member = _locked_staff(staff)
        return _replace_hours(member, checked, by)


def booked_during(staff: Staff, start: datetime, end: datetime) -> list[Appointment]:
    """The staff member's appointments with seats held that overlap `start`-`end`, in time order: what time
    off over that span would leave booked. A read: cancelling them is `services.py`'s."""
    return list(
        Appointment.objects.filter(staff_id=staff.pk, seats_taken__gt=0, start__lt=end, end__gt=start)
        .select_related("service")
        .order_by("start", "pk")
    )


def add_time_off(
    staff: Staff, *, start: datetime, end: datetime, reason: str = "", by: Person = None
) -> TimeOff:
    """Mark the staff member away from `start` to `end`. Appointments already booked then stay booked
    (`booked_during` names them, for the caller to ask about)."""
    for name, moment in (("start", start), ("end", end)):
        if timezone.is_naive(moment):
            raise CatalogError("naive_time", f"The {name} needs a UTC offset or zone.", field=name)
    if end <= start:
        raise CatalogError("end_before_start", "Time off must end after it starts.", field="end")
    with transaction.atomic():
        member = _locked_staff(staff)
        away = TimeOff(staff=member, start=start, end=end, reason=reason)
        _save(away)
        _log(member, StaffChange.Kind.TIME_OFF_ADDED, f"Away {_span(member, away)}", by)
    return away


def remove_time_off(staff: Staff, time_off_id: int, *, by: Person = None) -> None:
    with transaction.atomic():
        member = _locked_staff(staff)
        away = TimeOff.objects.filter(staff=member, pk=time_off_id).first()
        if away is None:
            raise CatalogError(
                "unknown_time_off", f"{member.name} has no such time off.", field="time_off_id"
            )
        away.delete()
        _log(member, StaffChange.Kind.TIME_OFF_REMOVED, f"No longer away {_span(member, away)}", by)


def link_account(staff: Staff, user: User, *, by: Person = None) -> Staff:
    """Make `user` the staff member's sign-in: their panel shows this row's appointments and schedule. One
    person is one staff member of a business."""
    with transaction.atomic():
        member = _locked_staff(staff)
        other = Staff.objects.filter(tenant_id=member.tenant_id, user_id=user.pk).exclude(pk=member.pk)
        if other.exists():
            raise CatalogError(
                "account_taken",
                f"{_person(user)} signs in as another staff member here already.",
                field="email",
            )
        if member.user_id != user.pk:
            member.user_id = user.pk
            member.save(update_fields=["user"])
            _log(member, StaffChange.Kind.ACCOUNT_LINKED, f"Signs in as {_person(user)}", by)
    return member


def unlink_account(staff: Staff, *, by: Person = None) -> Staff:
    with transaction.atomic():
        member = _locked_staff(staff)
        if member.user is not None:
            summary = f"No longer signs in as {_person(member.user)}"
            member.user = None
            member.save(update_fields=["user"])
            _log(member, StaffChange.Kind.ACCOUNT_UNLINKED, summary, by)
    return member


# --- services -----------------------------------------------------------------------------------------------


def create_service(tenant: Tenant, details: ServiceDetails, *, staff_ids: Iterable[int] = ()) -> Service:
    values = _values(details)
    del values["zoom_enabled"]
    zoom = KEEP if details.zoom_enabled is None else details.zoom_enabled
    provider = _chosen_provider(details.video_provider, zoom, current=None)
    values["video_provider"] = provider
    _check_fallback(provider, details.fallback_video_provider)
    values["meeting_options"] = _merged_options({}, details.meeting_options or {})
    if details.per_attendee_links is None:
        values["per_attendee_links"] = details.capacity > 1 and provider == VideoProvider.ZOOM
    with transaction.atomic():
        service = Service(tenant=tenant, **values)
        _save(service)
        _replace_service_staff(service, staff_ids)
    return service


def update_service(service: Service, changes: ServiceChanges) -> Service:
    """Apply `changes` to the service read afresh under its lock, and return that fresh row."""
    named = _named(changes)
    options = named.pop("meeting_options", KEEP)
    staff_ids = named.pop("staff_ids", KEEP)
    with transaction.atomic():
        fresh = _locked_service(service)
        video_was = fresh.video_provider
        _choose_video(fresh, named)
        for name, value in named.items():
            setattr(fresh, name, value)
        if options is not KEEP:
            fresh.meeting_options = _merged_options(fresh.meeting_options, options)
        _save(fresh)
        if staff_ids is not KEEP:
            _replace_service_staff(fresh, staff_ids)
        if fresh.video_provider is not None and fresh.video_provider != video_was:
            # Bookings made while video was off (or with another provider) are owed a meeting now (turning it
            # off leaves meetings be).
            events.upcoming_changed(Appointment.objects.filter(service=fresh))
    return fresh


def set_service_staff(service: Service, staff_ids: Iterable[int]) -> Service:
    """Offer the service with exactly these staff members, all of the service's own tenant."""
    with transaction.atomic():
        fresh = _locked_service(service)
        _replace_service_staff(fresh, staff_ids)
    return fresh


# --- internals ----------------------------------------------------------------------------------------------


def _choose_video(service: Service, named: dict) -> None:
    """Move the video choices of `named` (popped from it) onto `service`."""
    provider = _chosen_provider(
        named.pop("video_provider", KEEP), named.pop("zoom_enabled", KEEP), current=service.video_provider
    )
    fallback = named.pop("fallback_video_provider", KEEP)
    if fallback is KEEP:
        # An older client turning Zoom off knows nothing of fallbacks: one without a provider goes with it.
        fallback = service.fallback_video_provider if provider is not None else None
    _check_fallback(provider, fallback)
    service.video_provider, service.fallback_video_provider = provider, fallback


def _chosen_provider(provider: str | None | Keep, zoom: bool | Keep, *, current: str | None) -> str | None:
    if provider is not KEEP and provider is not None and provider not in VideoProvider.values:
        known = ", ".join(VideoProvider.values)
        raise CatalogError(
            "unknown_video_provider",
            f"Unknown video provider {provider!r}; known: {known}.",
            field="video_provider",
        )
    if zoom is KEEP:
        return current if provider is KEEP else provider
    if provider is KEEP:
        return VideoProvider.ZOOM if zoom else (None if current == VideoProvider.ZOOM else current)
    if zoom != (provider == VideoProvider.ZOOM):
        raise CatalogError(
            "contradictory_video_provider",
            f"zoom_enabled={str(zoom).lower()} contradicts video_provider={provider or 'null'}: "
            'zoom_enabled is the older name of video_provider == "zoom"; send one of them.',
            field="zoom_enabled",
        )
    return provider


def _check_fallback(provider: str | None, fallback: str | None) -> None:
    if fallback is None:
        return
    if fallback not in VideoProvider.values:
        known = ", ".join(VideoProvider.values)
        raise CatalogError(
            "unknown_video_provider",
            f"Unknown video provider {fallback!r}; known: {known}.",
            field="fallback_video_provider",
        )
    if provider is None:
        raise CatalogError(
            "fallback_without_provider",
            "A fallback video provider needs a video provider to fall back from.",
            field="fallback_video_provider",
        )
    if fallback == provider:
        raise CatalogError(
            "fallback_same_as_provider",
            "The fallback video provider must differ from the video provider.",
            field="fallback_video_provider",
        )


def _values(details: StaffDetails | ServiceDetails) -> dict[str, object]:
    return {field.name: getattr(details, field.name) for field in fields(details)}


def _named(changes: StaffChanges | ServiceChanges) -> dict:
    return {
        field.name: value for field in fields(changes) if (value := getattr(changes, field.name)) is not KEEP
    }


def _save(row: models.Model) -> None:
    try:
        row.full_clean()
    except ValidationError as error:
        raise CatalogError.from_validation(error) from None
    row.save()


def _locked_staff(staff: Staff) -> Staff:
    return Staff.objects.select_for_update().get(pk=staff.pk)


def _locked_service(service: Service) -> Service:
    return Service.objects.select_for_update().get(pk=service.pk)


def _checked_hours(intervals: Iterable[WorkingInterval]) -> list[WorkingInterval]:
    checked = sorted(intervals, key=lambda interval: (interval.weekday, interval.start))
    for interval in checked:
        if interval.weekday not in WorkingHours.Weekday.values:
            raise CatalogError(
                "unknown_weekday",
                f"Weekday {interval.weekday} does not exist: 0 is Monday, 6 is Sunday.",
                field="working_hours",
            )
        if interval.end <= interval.start:
            raise CatalogError(
                "end_before_start", "A working interval must end after it starts.", field="working_hours"
            )
    for before, after in zip(checked, checked[1:], strict=False):
        if before.weekday == after.weekday and after.start < before.end:
            raise CatalogError(
                "overlapping_hours",
                f"{_label(before)} and {_label(after)} overlap: a day's intervals must not.",
                field="working_hours",
            )
    return checked


def _label(interval: WorkingInterval) -> str:
    day = WorkingHours.Weekday(interval.weekday).label
    return f"{day} {interval.start:%H:%M}-{interval.end:%H:%M}"


def _replace_hours(
    member: Staff, intervals: list[WorkingInterval], by: Person = None, *, log: bool = True
) -> list[WorkingHours]:
    """Caller holds the staff lock (or made the row in this transaction) and checked `intervals`."""
    rows = [
        WorkingHours(staff=member, weekday=i.weekday, start_time=i.start, end_time=i.end) for i in intervals
    ]
    for row in rows:
        try:
            # The ordering constraint is checked above; validating it here would cost a query per interval.
            row.full_clean(validate_constraints=False)
        except ValidationError as error:
            raise CatalogError.from_validation(error) from None
    before = _week(member.working_hours.all())
    member.working_hours.all().delete()
    created = WorkingHours.objects.bulk_create(rows)
    after = _week(created)
    if log and after != before:
        _log(member, StaffChange.Kind.WORKING_HOURS, f"{after} (was: {before})", by)
    return created


def _week(rows: Iterable[WorkingHours]) -> str:
    """ "Mon 09:00-12:00, 13:00-17:00; Tue 09:00-17:00", or "no working hours"."""
    days: dict[int, list[str]] = {}
    for row in sorted(rows, key=lambda row: (row.weekday, row.start_time)):
        days.setdefault(row.weekday, []).append(f"{row.start_time:%H:%M}-{row.end_time:%H:%M}")
    names = dict(WorkingHours.Weekday.choices)
    return "; ".join(f"{names[day][:3]} {', '.join(spans)}" for day, spans in days.items()) or (
        "no working hours"
    )


def _span(member: Staff, away: TimeOff) -> str:
    """The time off in the staff member's own zone: "Mon 7 Dec 2026 09:00 – 13:00 (Europe/Berlin)"."""
    start, end = away.start.astimezone(member.zone), away.end.astimezone(member.zone)
    until = f"{end:%H:%M}" if end.date() == start.date() else _moment(end)
    reason = f" · {away.reason}" if away.reason else ""
    return f"{_moment(start)} – {until} ({member.timezone}){reason}"


def _moment(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y %H:%M}"


def _person(user: User) -> str:
    return getattr(user, "email", "") or user.get_username()


def _log(member: Staff, kind: str, summary: str, by: Person) -> None:
    name = ""
    if by is not None:
        full = getattr(by, "get_full_name", lambda: "")()
        name = full or by.get_username()
    StaffChange.objects.create(
        tenant_id=member.tenant_id, staff=member, kind=kind, summary=summary[:500], by=by, by_name=name
    )


def _replace_service_staff(service: Service, staff_ids: Iterable[int]) -> None:
    wanted = set(staff_ids)
    members = list(Staff.objects.filter(tenant_id=service.tenant_id, pk__in=wanted))
    unknown = sorted(wanted - {member.pk for member in members})
    if unknown:
        ids = ", ".join(map(str, unknown))
        which = f"id {ids}" if len(unknown) == 1 else f"ids {ids}"
        raise CatalogError(
            "unknown_staff",
            f"There is no staff member with {which} here; a service is offered by its own staff only.",
            field="staff_ids",
        )
    service.staff.set(members)


def _merged_options(current: Mapping[str, object], changes: MeetingOptions) -> dict[str, object]:
    """The stored options with `changes` applied; an option set to None is dropped (the host's default)."""
    merged = {**(current or {}), **changes}
    return {name: value for name, value in merged.items() if value is not None}
