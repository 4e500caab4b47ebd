"""Services and staff: what can be booked, and with whom. Every write goes through `scheduling.catalog`."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from rendez.api import extensions
from rendez.api.auth import tenant_of
from rendez.api.catalog_schemas import (
    ServiceIn,
    ServiceOut,
    ServicePatch,
    StaffIn,
    StaffOut,
    StaffPatch,
    WorkingHoursIn,
)
from rendez.api.errors import error_responses, refuse_nulls
from rendez.api.pagination import Pages
from rendez.scheduling import catalog
from rendez.scheduling.models import Service, Staff
from rendez.tenants.models import Tenant

router = Router()
LIST_ERRORS = error_responses(401, 422)
ERRORS = error_responses(401, 404, 422)
# Operations with a body also answer 400 when it is not JSON at all, 413 when it is over the size limit.
BODY_ERRORS = error_responses(400, 401, 404, 413, 422)


# --- staff --------------------------------------------------------------------------------------------------


def _intervals(hours: list[WorkingHoursIn]) -> list[catalog.WorkingInterval]:
    return [catalog.WorkingInterval(weekday=h.weekday, start=h.start, end=h.end) for h in hours]


def _staff_queryset(tenant: Tenant):
    return (
        Staff.objects.filter(tenant=tenant)
        .select_related(*extensions.staff_relations())
        .prefetch_related("working_hours", "services", *extensions.staff_prefetches())
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
    tenant = tenant_of(request)
    details = catalog.StaffDetails(**payload.dict(exclude={"working_hours"}))
    member = catalog.create_staff(tenant, details, working_hours=_intervals(payload.working_hours))
    return Status(201, _staff_queryset(tenant).get(pk=member.pk))


@router.patch("/staff/{staff_id}", response={200: StaffOut, **BODY_ERRORS}, tags=["staff"])
def update_staff(request: HttpRequest, staff_id: int, payload: StaffPatch):
    tenant = tenant_of(request)
    member = get_object_or_404(Staff.objects.filter(tenant=tenant), pk=staff_id)
    changes = payload.dict(exclude_unset=True)
    refuse_nulls(changes, nullable={"max_assignments_per_day", "max_assignments_per_week"})
    if payload.working_hours is not None:
        changes["working_hours"] = _intervals(payload.working_hours)
    catalog.update_staff(member, catalog.StaffChanges(**changes))
    return _staff_queryset(tenant).get(pk=member.pk)


# --- services -----------------------------------------------------------------------------------------------


def _service_queryset(tenant: Tenant):
    return Service.objects.filter(tenant=tenant).prefetch_related("staff", "questions")


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
    # Only what the client sent of a provider and its alias: the writer refuses the two when they disagree.
    unsent = {"video_provider", "zoom_enabled"} - payload.model_fields_set
    fields = payload.dict(exclude={"staff_ids", "meeting_options", *unsent})
    details = catalog.ServiceDetails(**fields, meeting_options=payload.meeting_options.chosen())
    service = catalog.create_service(tenant, details, staff_ids=payload.staff_ids)
    return Status(201, _service_queryset(tenant).get(pk=service.pk))


@router.patch("/services/{service_id}", response={200: ServiceOut, **BODY_ERRORS}, tags=["services"])
def update_service(request: HttpRequest, service_id: int, payload: ServicePatch):
    tenant = tenant_of(request)
    service = get_object_or_404(Service.objects.filter(tenant=tenant), pk=service_id)
    # Unset options are left out (nested too): a PATCH names only the meeting options that change.
    changes = payload.dict(exclude_unset=True)
    refuse_nulls(changes, nullable={"slot_interval_minutes", "video_provider", "fallback_video_provider"})
    catalog.update_service(service, catalog.ServiceChanges(**changes))
    return _service_queryset(tenant).get(pk=service.pk)
