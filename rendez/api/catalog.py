"""Services and staff: what can be booked, and with whom."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from rendez.api.auth import tenant_of
from rendez.api.errors import ApiError, error_responses
from rendez.api.pagination import Pages
from rendez.api.schemas import (
    MeetingOptionsIn,
    ServiceIn,
    ServiceOut,
    ServicePatch,
    StaffIn,
    StaffOut,
    StaffPatch,
    WorkingHoursIn,
)
from rendez.integrations.zoom.hosts import host_relations
from rendez.scheduling.models import Service, Staff, WorkingHours
from rendez.tenants.models import Tenant

router = Router()
LIST_ERRORS = error_responses(401, 422)
ERRORS = error_responses(401, 404, 422)
# Operations with a body also answer 400 when it is not JSON at all.
BODY_ERRORS = error_responses(400, 401, 404, 422)


def _refuse_nulls(changes: dict, nullable: set[str] | frozenset[str] = frozenset()) -> None:
    """In a PATCH, leaving a field out keeps it; `null` only clears the fields that may be empty."""
    nulled = sorted(field for field, value in changes.items() if value is None and field not in nullable)
    if nulled:
        fields = {field: "cannot be null" for field in nulled}
        raise ApiError(422, "invalid", f"{', '.join(nulled)} cannot be null.", fields)


# --- staff --------------------------------------------------------------------------------------------------


def _replace_working_hours(member: Staff, hours: list[WorkingHoursIn]) -> None:
    for interval in hours:
        if interval.end <= interval.start:
            raise ApiError(
                422, "invalid", "A working interval must end after it starts.", {"working_hours": "end"}
            )
    member.working_hours.all().delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(staff=member, weekday=h.weekday, start_time=h.start, end_time=h.end) for h in hours
    )


def _staff_queryset(tenant: Tenant):
    return (
        Staff.objects.filter(tenant=tenant)
        .select_related(*host_relations())
        .prefetch_related("working_hours", "services")
    )


@router.get("/staff", response={200: list[StaffOut], **LIST_ERRORS}, tags=["staff"])
@paginate(Pages)
def list_staff(request: HttpRequest):
    return _staff_queryset(tenant_of(request))


@router.get("/staff/{staff_id}", response={200: StaffOut, **ERRORS}, tags=["staff"])
def get_staff(request: HttpRequest, staff_id: int):
    return get_object_or_404(_staff_queryset(tenant_of(request)), pk=staff_id)


@router.post("/staff", response={201: StaffOut, **BODY_ERRORS}, tags=["staff"])
def create_staff(request: HttpRequest, payload: StaffIn):
    with transaction.atomic():
        fields = payload.dict(exclude={"working_hours"})
        member = Staff(tenant=tenant_of(request), **fields)
        member.full_clean()
        member.save()
        _replace_working_hours(member, payload.working_hours)
    return Status(201, _staff_queryset(tenant_of(request)).get(pk=member.pk))


@router.patch("/staff/{staff_id}", response={200: StaffOut, **BODY_ERRORS}, tags=["staff"])
def update_staff(request: HttpRequest, staff_id: int, payload: StaffPatch):
    tenant = tenant_of(request)
    with transaction.atomic():
        member = get_object_or_404(Staff.objects.select_for_update().filter(tenant=tenant), pk=staff_id)
        changes = payload.dict(exclude_unset=True)
        _refuse_nulls(changes)
        for field, value in changes.items():
            if field != "working_hours":
                setattr(member, field, value)
        member.full_clean()
        member.save()
        if payload.working_hours is not None:
            _replace_working_hours(member, payload.working_hours)
    return _staff_queryset(tenant).get(pk=member.pk)


# --- services -----------------------------------------------------------------------------------------------


def _service_queryset(tenant: Tenant):
    return Service.objects.filter(tenant=tenant).prefetch_related("staff")


def _set_staff(service: Service, staff_ids: list[int]) -> None:
    members = list(Staff.objects.filter(tenant_id=service.tenant_id, pk__in=staff_ids))
    unknown = sorted(set(staff_ids) - {member.pk for member in members})
    if unknown:
        raise ApiError(
            422, "unknown_staff", f"No staff members with ids {unknown}.", {"staff_ids": str(unknown)}
        )
    service.staff.set(members)


def _merged_options(current: dict, changes: MeetingOptionsIn) -> dict[str, bool | str]:
    """A PATCH names only the options that change; null returns one to the host's default."""
    merged = {**(current or {}), **changes.dict(exclude_unset=True)}
    return {name: value for name, value in merged.items() if value is not None}


@router.get("/services", response={200: list[ServiceOut], **LIST_ERRORS}, tags=["services"])
@paginate(Pages)
def list_services(request: HttpRequest):
    return _service_queryset(tenant_of(request))


@router.get("/services/{service_id}", response={200: ServiceOut, **ERRORS}, tags=["services"])
def get_service(request: HttpRequest, service_id: int):
    return get_object_or_404(_service_queryset(tenant_of(request)), pk=service_id)


@router.post("/services", response={201: ServiceOut, **BODY_ERRORS}, tags=["services"])
def create_service(request: HttpRequest, payload: ServiceIn):
    tenant = tenant_of(request)
    with transaction.atomic():
        fields = payload.dict(exclude={"staff_ids", "meeting_options"})
        service = Service(tenant=tenant, meeting_options=payload.meeting_options.chosen(), **fields)
        service.full_clean()
        service.save()
        _set_staff(service, payload.staff_ids)
    return Status(201, _service_queryset(tenant).get(pk=service.pk))


@router.patch("/services/{service_id}", response={200: ServiceOut, **BODY_ERRORS}, tags=["services"])
def update_service(request: HttpRequest, service_id: int, payload: ServicePatch):
    tenant = tenant_of(request)
    with transaction.atomic():
        service = get_object_or_404(Service.objects.select_for_update().filter(tenant=tenant), pk=service_id)
        changes = payload.dict(exclude_unset=True)
        _refuse_nulls(changes, nullable={"slot_interval_minutes"})
        for field, value in changes.items():
            if field not in ("staff_ids", "meeting_options"):
                setattr(service, field, value)
        if payload.meeting_options is not None:
            service.meeting_options = _merged_options(service.meeting_options, payload.meeting_options)
        service.full_clean()
        service.save()
        if payload.staff_ids is not None:
            _set_staff(service, payload.staff_ids)
    return _service_queryset(tenant).get(pk=service.pk)
