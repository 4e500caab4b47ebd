"""Free slots of a service, in the zone the caller asks for."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router

from rendez.api.auth import tenant_of
from rendez.api.errors import ApiError, error_responses
from rendez.api.schemas import SlotOut, SlotQuery
from rendez.scheduling.availability import Interval
from rendez.scheduling.calendars import find_slots
from rendez.scheduling.models import Service

router = Router()
MAX_RANGE_DAYS = 62


@router.get("/slots", response={200: list[SlotOut], **error_responses(401, 404, 422)}, tags=["slots"])
def list_slots(request: HttpRequest, filters: Query[SlotQuery]):
    """Bookable slots starting between `date_from` and `date_to` (inclusive, in `tz`), times given in `tz`."""
    tenant = tenant_of(request)
    service = get_object_or_404(Service.objects.filter(tenant=tenant, is_active=True), pk=filters.service_id)
    if filters.date_to < filters.date_from:
        raise ApiError(422, "invalid", "date_to is before date_from.", {"date_to": "before date_from"})
    if (filters.date_to - filters.date_from).days >= MAX_RANGE_DAYS:
        raise ApiError(
            422, "invalid", f"Ask for at most {MAX_RANGE_DAYS} days at once.", {"date_to": "range"}
        )
    staff = service.staff.filter(is_active=True)
    if filters.staff_id is not None:
        staff = staff.filter(pk=filters.staff_id)
        if not staff.exists():
            raise ApiError(404, "not_found", "That staff member does not offer this service.")
    zone = ZoneInfo(filters.tz or tenant.timezone)
    now = timezone.now()
    # Nothing is bookable before now or beyond the horizon. Clamping to that also keeps the date arithmetic
    # below
    # away from the ends of the calendar (year 1, year 9999), where it would overflow.
    date_from = max(filters.date_from, now.astimezone(zone).date() - timedelta(days=1))
    date_to = min(filters.date_to, (now + timedelta(days=service.horizon_days)).astimezone(zone).date())
    if date_to < date_from:
        return []
    window = Interval(
        datetime.combine(date_from, time.min, tzinfo=zone),
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone),
    )
    found = find_slots(service, list(staff), window, now)
    return [
        {
            "start": slot.start.astimezone(zone),
            "end": slot.end.astimezone(zone),
            "staff_id": member.pk,
            "seats_left": slot.seats_left,
        }
        for member, slot in found
    ]
