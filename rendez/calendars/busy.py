"""Busy blocks as scheduling reads them (one statement per slots request or booking) and as syncs write them.

Writes take the staff member's row lock, the same lock booking holds while it checks and writes: a sync that
lands during a booking either commits before the booking reads (the booking is refused) or after it commits
(the booking was fine when made). Never both through.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import connection as db
from django.db import transaction

from rendez.calendars.models import BusyBlock, CalendarConnection
from rendez.lib import rows
from rendez.scheduling.availability import Interval
from rendez.scheduling.models import Staff
from rendez.tenants.models import Tenant


@dataclass(frozen=True)
class Block:
    """One event that blocks time, as a provider's sync found it."""

    calendar_id: str
    event_id: str
    start: datetime
    end: datetime
    all_day: bool = False


def busy_of_staff(tenant_id: int, staff_ids: Sequence[int], reach: Interval) -> dict[int, list[Interval]]:
    """Blocks of the tenant's `staff_ids` overlapping `reach`, each staff member's in start order with the
    ones that overlap or touch made one span: one statement, written once per staff count and prepared on
    PostgreSQL like the booking path's other hand-written statements (rows.cursor).

    Merged because every span costs the slot search two bisections and a busy calendar's events pile up (an
    all-day event swallows the day's others, a meeting runs into the next); a slot touches the union of two
    touching spans exactly when it touches one of them, so no slot changes."""
    if not staff_ids:
        return {}
    params: list[Any] = [tenant_id, *staff_ids, *_instants(reach.end, reach.start)]
    with rows.cursor() as cursor:
        cursor.execute(_blocks_sql(db.vendor, len(staff_ids)), params)
        found = cursor.fetchall()
    return {staff_id: _merged(of_staff) for staff_id, of_staff in groupby(found, itemgetter(0))}


def _merged(found: Iterable[tuple[int, str, str]]) -> list[Interval]:
    """Spans of rows in start order, each overlapping or touching the one before joined to it, in one pass.

    Read as text with their offset (_blocks_sql) and parsed here: psycopg's parsing is slow, and so is
    datetime.replace(tzinfo=...) (about 4 µs against 0.5 µs for the parse; two per block)."""
    parse = datetime.fromisoformat
    starts: list[datetime] = []
    ends: list[datetime] = []
    for _, row_start, row_end in found:
        start, end = parse(row_start), parse(row_end)
        if ends and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return list(map(Interval, starts, ends))


def connections_changed(connection: CalendarConnection) -> None:
    """Keep `Tenant.has_calendars` after `connection` was made, reconnected or disconnected (its writers call
    this after saving the row, in their transaction if they have one): on while any of the tenant's
    connections is not disconnected. Slots and bookings read no busy blocks while it is off.

    The tenant row is locked first, so two staff members connecting and disconnecting at once cannot leave it
    wrong (each counts after the other committed). The staff lock closes the booking race (a booking reads
    the flag in the statement that locks the staff member): a booking that read "off" just before this
    commit holds or waits for that lock ahead of this writer, so the first sync, which needs it too, lands
    after that booking."""
    with transaction.atomic():
        lock_staff(connection)
        tenant = Tenant.objects.select_for_update().only("pk", "has_calendars").get(pk=connection.tenant_id)
        live = (
            CalendarConnection.objects.filter(tenant_id=connection.tenant_id)
            .exclude(status=CalendarConnection.Status.DISCONNECTED)
            .exists()
        )
        if tenant.has_calendars != live:
            tenant.has_calendars = live
            # save(), not update(): its post_save makes this process forget API keys holding the old row.
            tenant.save(update_fields=["has_calendars"])


def lock_staff(connection: CalendarConnection) -> None:
    """The booking path's staff lock (scheduling/services.py `_lock_staff_ids`), taken by a sync's write."""
    list(
        Staff.objects.select_for_update()
        .filter(pk=connection.staff_id, tenant_id=connection.tenant_id)
        .values_list("pk", flat=True)
    )


def replace_blocks(connection: CalendarConnection, calendar_id: str, blocks: Iterable[Block]) -> None:
    """A full sync's answer: the calendar's blocks become exactly `blocks`. Caller holds the staff lock."""
    _of_calendar(connection, calendar_id).delete()
    _insert(connection, blocks)


def apply_changes(
    connection: CalendarConnection, calendar_id: str, upserts: Iterable[Block], removed: Iterable[str]
) -> None:
    """An incremental sync's answer: events that block now (new or changed) and events that no longer do
    (deleted, declined, made free; a deleted recurring event takes its instances `{id}_…` with it)."""
    upserts = list(upserts)
    gone = set(removed) | {block.event_id for block in upserts}
    mine = _of_calendar(connection, calendar_id)
    if gone:
        mine.filter(external_event_id__in=gone).delete()
    for event_id in removed:
        mine.filter(external_event_id__startswith=f"{event_id}_").delete()
    _insert(connection, upserts)


def forget_calendar(connection: CalendarConnection, calendar_id: str) -> None:
    with transaction.atomic():
        lock_staff(connection)
        _of_calendar(connection, calendar_id).delete()


def _of_calendar(connection: CalendarConnection, calendar_id: str):  # type: ignore[no-untyped-def]
    return BusyBlock.objects.filter(
        tenant_id=connection.tenant_id, connection=connection, calendar_id=calendar_id
    )


def _insert(connection: CalendarConnection, blocks: Iterable[Block]) -> None:
    BusyBlock.objects.bulk_create(
        [
            BusyBlock(
                tenant_id=connection.tenant_id,
                staff_id=connection.staff_id,
                connection=connection,
                calendar_id=block.calendar_id,
                external_event_id=block.event_id,
                start=block.start,
                end=block.end,
                all_day=block.all_day,
            )
            for block in blocks
        ]
    )


def _instants(*moments: datetime) -> list[Any]:
    return [db.ops.adapt_datetimefield_value(moment) for moment in moments]


@lru_cache(maxsize=64)
def _blocks_sql(vendor: str, staff_count: int) -> str:
    quote = db.ops.quote_name
    table = quote(BusyBlock._meta.db_table)
    staff = ", ".join(["%s"] * staff_count)
    # As text with a UTC offset: PostgreSQL's timestamptz text has one (the connection's zone is UTC);
    # SQLite stores UTC without one, added here rather than by datetime.replace for each instant.
    start, end = (
        (f"CAST({quote(name)} AS text)" if vendor == "postgresql" else f"{quote(name)} || '+00:00'")
        for name in ("start", "end")
    )
    return (
        f"SELECT staff_id, {start}, {end} FROM {table}"
        f" WHERE tenant_id = %s AND staff_id IN ({staff})"
        f" AND {quote('start')} < %s AND {quote('end')} > %s"
        # Each staff member's in start order, for the merge (busy_of_staff): the index's own order.
        # Qualified: PostgreSQL would take a bare "start" for the text column of the same name.
        f" ORDER BY {table}.staff_id, {table}.{quote('start')}"
    )
