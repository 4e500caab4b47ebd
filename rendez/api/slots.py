"""Free slots of a service, in the zone the caller asks for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router

from rendez.api.auth import tenant_of
from rendez.api.errors import ApiError, error_responses
from rendez.api.schemas import ANY_STAFF
from rendez.api.slot_schemas import SlotOut, SlotQuery
from rendez.conferencing.hosting import able_to_host
from rendez.scheduling import any_staff
from rendez.scheduling.availability import Interval, Slot
from rendez.scheduling.calendars import bookable_offering, find_slots_by_staff_id
from rendez.scheduling.models import Staff

router = Router()
MAX_RANGE_DAYS = 62
SLOT_JSON = '{"start": "%s", "end": "%s", "staff_id": %d, "seats_left": %d}'
ANY_SLOT_JSON = '{"start": "%s", "end": "%s", "staff_id": null, "seats_left": %d}'


@router.get("/slots", response={200: list[SlotOut], **error_responses(401, 404, 422)}, tags=["slots"])
def list_slots(request: HttpRequest, filters: Query[SlotQuery]) -> HttpResponse:
    """Bookable slots starting between `date_from` and `date_to` (inclusive, in `tz`), times given in `tz`."""
    tenant = tenant_of(request)
    anyone = filters.staff_id == ANY_STAFF
    staff_id = None if anyone else cast(int | None, filters.staff_id)
    service, staff = bookable_offering(tenant.pk, filters.service_id, staff_id)
    if service is None:
        raise Http404("No such service.")
    if filters.date_to < filters.date_from:
        message = "Must not be before date_from."
        raise ApiError(422, "invalid", f"date_to: {message}", {"date_to": message})
    if (filters.date_to - filters.date_from).days >= MAX_RANGE_DAYS:
        message = f"Ask for at most {MAX_RANGE_DAYS} days at once."
        raise ApiError(422, "invalid", f"date_to: {message}", {"date_to": message})
    if staff_id is not None and not staff:
        raise ApiError(404, "not_found", "That staff member does not offer this service.")
    zone = ZoneInfo(filters.tz or tenant.timezone)
    now = timezone.now()
    # Nothing is bookable before now or beyond the horizon. Clamping to that also keeps the date arithmetic
    # below away from the ends of the calendar (year 1, year 9999), where it would overflow.
    date_from = max(filters.date_from, now.astimezone(zone).date() - timedelta(days=1))
    date_to = min(filters.date_to, (now + timedelta(days=service.horizon_days)).astimezone(zone).date())
    if date_to < date_from:
        return slots_response([], zone)
    window = Interval(
        datetime.combine(date_from, time.min, tzinfo=zone),
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone),
    )
    # The tenant's row (from its API key) says whether any busy time from staff's calendars can exist.
    external = tenant.has_calendars
    if anyone:
        return any_slots_response(
            any_staff.free_slots(service, able_to_host(service, staff), window, now, external), zone
        )
    return slots_response(find_slots_by_staff_id(service, staff, window, now, external), zone)


def any_slots_response(found: Sequence[tuple[Staff, Slot]], zone: ZoneInfo) -> HttpResponse:
    """Each start someone is free once, `staff_id` null (who takes it is settled at booking), with the most
    seats one booking there may take: what the booking page's "Any available" offers."""
    best: dict[datetime, Slot] = {}
    for _, slot in found:
        if slot.start not in best or slot.seats_left > best[slot.start].seats_left:
            best[slot.start] = slot
    slots = [
        ANY_SLOT_JSON
        % (
            json_instant(slot.start.astimezone(zone)),
            json_instant(slot.end.astimezone(zone)),
            slot.seats_left,
        )
        for _, slot in sorted(best.items())
    ]
    return HttpResponse(f"[{', '.join(slots)}]", content_type="application/json; charset=utf-8")


def slots_response(found: Sequence[tuple[int, Slot]], zone: ZoneInfo) -> HttpResponse:
    """The body django-ninja renders from `list[SlotOut]`, byte for byte, written without it: a team's month
    is thousands of slots, and pydantic validating values made here was a third of the request."""
    shown: dict[datetime, str] = {}

    def local(moment: datetime) -> str:
        # Staff share their starts and a slot's end is often the next one's start: format each instant once.
        if moment not in shown:
            shown[moment] = json_instant(moment.astimezone(zone))
        return shown[moment]

    # The values are ISO 8601 times and integers, which JSON needs no escaping for; json.dumps of the same
    # dicts (the renderer's separators) would cost three times as much.
    slots = [
        SLOT_JSON % (local(slot.start), local(slot.end), staff_id, slot.seats_left)
        for staff_id, slot in found
    ]
    return HttpResponse(f"[{', '.join(slots)}]", content_type="application/json; charset=utf-8")


def json_instant(moment: datetime) -> str:
    """An aware datetime as the API's JSON encoder (Django's) writes it: ISO 8601, microseconds cut to
    milliseconds, "Z" for UTC. Its isinstance checks for other types cost as much as the formatting."""
    text = moment.isoformat()
    if moment.microsecond:
        text = text[:23] + text[26:]
    return text[:-6] + "Z" if text.endswith("+00:00") else text
