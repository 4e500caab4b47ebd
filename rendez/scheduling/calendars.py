"""Loads what availability needs from the database, in a fixed number of queries however full the calendar."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import ManyToManyField, Model

from rendez.lib import rows
from rendez.scheduling import external_busy
from rendez.scheduling.availability import (
    BusyAppointment,
    Calendar,
    Interval,
    Refusal,
    Slot,
    SlotRules,
    WeeklyHours,
    check_start,
    free_slots_of_staff,
)
from rendez.scheduling.models import Appointment, Service, Staff, TimeOff, WorkingHours

# The longest span an appointment can block: a day-long service with a day of buffer on each side (the model's
# validators). Bounding block_start from below by it turns the busy query into an index range over the window
# instead of a scan of the staff member's whole history.
LONGEST_BLOCK = timedelta(days=3)


def rules_for(service: Service) -> SlotRules:
    return SlotRules(
        duration=service.duration,
        interval=service.slot_interval,
        buffer_before=timedelta(minutes=service.buffer_before_minutes),
        buffer_after=timedelta(minutes=service.buffer_after_minutes),
        capacity=service.capacity,
        min_notice=timedelta(minutes=service.min_notice_minutes),
        horizon=timedelta(days=service.horizon_days),
    )


@dataclass(frozen=True)
class Schedules:
    """What only the catalog writers change, by staff id: weekly hours, and time off around some span."""

    hours: Mapping[int, WeeklyHours]
    time_off: Mapping[int, Sequence[Interval]]


def read_schedules(staff_ids: list[int], reach: Interval) -> Schedules:
    """Weekly hours of `staff_ids`, and their time off overlapping `reach` (two statements)."""
    return Schedules(hours=_weekly_hours(staff_ids), time_off=_time_off(staff_ids, reach))


def booking_reach(start: datetime) -> Interval | None:
    """What a booking at `start` can touch whatever its service (`_reach` of a day-long slot with a day of
    buffer each side); None when that runs off the calendar's ends, where nothing can be booked anyway."""
    try:
        return Interval(start - LONGEST_BLOCK, start + LONGEST_BLOCK)
    except OverflowError:
        return None


def load_calendars(
    service: Service,
    staff: Sequence[Staff],
    window: Interval,
    exclude_appointment_id: int | None = None,
    schedules: Schedules | None = None,
    external: bool = True,
) -> dict[int, Calendar]:
    """Calendars of `staff` for slots of `service` starting in `window`; `exclude_appointment_id` leaves out
    one being moved; `schedules`, when given, were read already (as far as the window reaches); `external`
    False where the tenant's row says no staff member has a calendar connected (`Tenant.has_calendars`):
    no busy time from outside is read then (external_busy.py).

    Three statements, written once per shape rather than compiled by the ORM on every call: compiling them
    was most of a booking's time under the staff lock (a booking reads one calendar)."""
    staff_ids = [member.pk for member in staff]
    reach = _reach(rules_for(service), window)
    schedules = schedules or read_schedules(staff_ids, reach)
    busy = _busy_by_staff(service, staff_ids, reach, exclude_appointment_id)
    # Busy time from staff's own calendars (external_busy.py) stays plain spans, not appointments: nobody can
    # join it, and building an appointment for each of a month's events cost as much as reading them.
    outside = external_busy.busy_of(service.tenant_id, staff_ids, reach) if external else {}
    return {
        member.pk: Calendar(
            zone=ZoneInfo(member.timezone),
            weekly_hours=schedules.hours.get(member.pk, {}),
            time_off=schedules.time_off.get(member.pk, []),
            appointments=busy[member.pk],
            busy=outside.get(member.pk, ()),
        )
        for member in staff
    }


def bookable_offering(
    tenant_id: int, service_id: int, staff_id: int | None = None
) -> tuple[Service | None, list[Staff]]:
    """The tenant's active service with this id (None when there is none) and its active staff members, only
    `staff_id` when given: what a slots listing starts from, in two statements written once (compiling the
    two querysets was a millisecond of every listing)."""
    found = _rows(_service_sql(connection.vendor), [service_id, tenant_id])
    if not found:
        return None, []
    service = rows.from_db(Service, rows.all_fields(Service), found[0])
    sql = _offering_staff_sql(connection.vendor, staff_id is not None)
    params = [service_id] if staff_id is None else [service_id, staff_id]
    staff = [rows.from_db(Staff, rows.all_fields(Staff), row) for row in _rows(sql, params)]
    return service, staff


def _reach(rules: SlotRules, window: Interval) -> Interval:
    """What slots starting in `window` can touch: their own span, widened by the buffers they keep. Time off
    and appointments outside it change nothing, and a booking (a window of one slot) reads only its
    neighbours, not the days around (a busy calendar's four days were most of its rows)."""
    return Interval(window.start - rules.buffer_before, window.end + rules.duration + rules.buffer_after)


def _weekly_hours(staff_ids: list[int]) -> dict[int, dict[int, list[tuple[time, time]]]]:
    hours: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    for staff_id, weekday, start_time, end_time in _rows(
        _hours_sql(connection.vendor, len(staff_ids)), staff_ids
    ):
        hours[staff_id][weekday].append((time.fromisoformat(start_time), time.fromisoformat(end_time)))
    return hours


def _time_off(staff_ids: list[int], reach: Interval) -> dict[int, list[Interval]]:
    time_off: dict[int, list[Interval]] = defaultdict(list)
    sql = _time_off_sql(connection.vendor, len(staff_ids))
    for staff_id, start, end in _rows(sql, [*staff_ids, *_instants(reach.end, reach.start)]):
        time_off[staff_id].append(Interval(_utc(start), _utc(end)))
    return time_off


def _busy_by_staff(
    service: Service, staff_ids: list[int], reach: Interval, exclude_appointment_id: int | None
) -> dict[int, list[BusyAppointment]]:
    excluding = exclude_appointment_id is not None
    sql = _busy_sql(connection.vendor, len(staff_ids), excluding)
    # The lower bound on block_start turns the query into an index range over the window (see LONGEST_BLOCK).
    params = [*staff_ids, *_instants(reach.end, reach.start - LONGEST_BLOCK, reach.start)]
    if excluding:
        params.append(exclude_appointment_id)
    this_service, capacity_now, is_group = service.pk, service.capacity, service.capacity > 1
    busy: dict[int, list[BusyAppointment]] = defaultdict(list)
    for pk, staff_id, service_id, start, end, block_start, block_end, seats_taken, capacity in _rows(
        sql, params
    ):
        same_service = service_id == this_service
        start_at, end_at = _utc(start), _utc(end)
        # Most services keep no buffers: their block is their span, parsed once (a busy month of one staff
        # member is 1,200 instants).
        blocked = Interval(
            start_at if block_start == start else _utc(block_start),
            end_at if block_end == end else _utc(block_end),
        )
        busy[staff_id].append(
            BusyAppointment(
                start=start_at,
                end=end_at,
                block=blocked,
                seats_taken=seats_taken,
                # The service's current capacity wins, so raising it opens seats in existing sessions too.
                capacity=max(capacity_now, seats_taken) if same_service else capacity,
                joinable=same_service and is_group,
                key=pk,
            )
        )
    return busy


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with rows.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _instants(*moments: datetime) -> list[Any]:
    """Instants as the database compares them (SQLite stores naive UTC text)."""
    return [connection.ops.adapt_datetimefield_value(moment) for moment in moments]


def _utc(text: str) -> datetime:
    """An instant read as text; SQLite stores UTC without an offset.

    Read as text because psycopg parses PostgreSQL timestamps in pure Python (about 5 µs each, 50 ms for eight
    busy 30-day calendars), where fromisoformat takes 0.2 µs."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- the statements -----------------------------------------------------------------------------------------
# Written once per database (and number of staff members where that varies); `vendor` is there to key the
# cache (names are quoted for it).


def _text(column: str) -> str:
    return f"CAST({connection.ops.quote_name(column)} AS text)"


def _of_staff(staff_count: int) -> str:
    return f"{connection.ops.quote_name('staff_id')} IN ({', '.join(['%s'] * staff_count)})"


@lru_cache(maxsize=64)
def _hours_sql(vendor: str, staff_count: int) -> str:
    return (
        f"SELECT staff_id, weekday, {_text('start_time')}, {_text('end_time')}"
        f" FROM {_table(WorkingHours)} WHERE {_of_staff(staff_count)}"
    )


@lru_cache(maxsize=64)
def _time_off_sql(vendor: str, staff_count: int) -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT staff_id, {_text('start')}, {_text('end')} FROM {_table(TimeOff)}"
        f" WHERE {_of_staff(staff_count)} AND {quote('start')} < %s AND {quote('end')} > %s"
    )


@lru_cache(maxsize=64)
def _busy_sql(vendor: str, staff_count: int, excluding: bool) -> str:
    instants = ", ".join(_text(name) for name in ("start", "end", "block_start", "block_end"))
    sql = (
        f"SELECT id, staff_id, service_id, {instants}, seats_taken, capacity FROM {_table(Appointment)}"
        f" WHERE {_of_staff(staff_count)} AND seats_taken > 0"
        " AND block_start < %s AND block_start > %s AND block_end > %s"
    )
    return sql + " AND id <> %s" if excluding else sql


@lru_cache(maxsize=4)
def _service_sql(vendor: str) -> str:
    return (
        f"SELECT {rows.columns(rows.all_fields(Service))} FROM {_table(Service)}"
        " WHERE id = %s AND tenant_id = %s AND is_active"
    )


@lru_cache(maxsize=8)
def _offering_staff_sql(vendor: str, one: bool) -> str:
    offers = Service._meta.get_field("staff")
    assert isinstance(offers, ManyToManyField)
    link = connection.ops.quote_name(Service.staff.through._meta.db_table)
    service_id, staff_id = offers.m2m_column_name(), offers.m2m_reverse_name()
    sql = (
        f"SELECT {rows.columns(rows.all_fields(Staff), 'staff')} FROM {_table(Staff)} staff"
        f" JOIN {link} offers ON offers.{staff_id} = staff.id"
        f" WHERE offers.{service_id} = %s AND staff.is_active"
    )
    return sql + " AND staff.id = %s" if one else sql


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def find_slots(
    service: Service, staff: Sequence[Staff], window: Interval, now: datetime, external: bool = True
) -> list[tuple[Staff, Slot]]:
    """Every bookable slot of `service` with any of `staff` starting in `window`, by time then staff;
    `external` as `load_calendars` takes it (the tenant's `has_calendars` where the caller holds the row)."""
    by_id = {member.pk: member for member in staff}
    found = find_slots_by_staff_id(service, staff, window, now, external)
    return [(by_id[staff_id], slot) for staff_id, slot in found]


def find_slots_by_staff_id(
    service: Service, staff: Sequence[Staff], window: Interval, now: datetime, external: bool = True
) -> list[tuple[int, Slot]]:
    """`find_slots` naming each slot's staff member by id, all a listing of thousands of slots needs."""
    calendars = load_calendars(service, sorted(staff, key=attrgetter("pk")), window, external=external)
    return free_slots_of_staff(rules_for(service), calendars, window, now)


def check_occurrences(
    service: Service, staff: Sequence[Staff], starts: Sequence[datetime], now: datetime, party_size: int = 1
) -> dict[int, list[Refusal | None]]:
    """Whether each of `starts` (a series' occurrences) can be booked with each of `staff`, by staff id: None
    where it can, else why not. A read for showing a series before it is booked; booking checks again under
    the lock."""
    if not starts:
        return {member.pk: [] for member in staff}
    rules = rules_for(service)
    window = Interval(min(starts), max(starts) + service.duration)
    calendars = load_calendars(service, list(staff), window)
    verdicts: dict[int, list[Refusal | None]] = {}
    for member in staff:
        found = [check_start(rules, calendars[member.pk], start, now, party_size) for start in starts]
        verdicts[member.pk] = [item if isinstance(item, Refusal) else None for item in found]
    return verdicts
