"""The locks the booking writers (`services.py`) take: the staff member concerned, locked by the statement
that proves they offer the service, or by the row being changed, read again under the lock."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from django.db import connection
from django.db.models import ManyToManyField

from rendez.lib import rows
from rendez.scheduling._booking_checks import not_offering
from rendez.scheduling._booking_errors import UnknownId
from rendez.scheduling.models import Appointment, Booking, Service, Staff
from rendez.tenants.models import Tenant

Row = TypeVar("Row", Booking, Appointment)


@dataclass(frozen=True)
class Offering:
    """What the statement locking a booking's staff member read: the service, the staff member, and whether
    their tenant may have busy time from staff's calendars (`Tenant.has_calendars`)."""

    service: Service
    staff: Staff
    has_calendars: bool


def lock_offering(service: Service, staff: Staff) -> Offering:
    """Lock `staff` with the statement that proves they offer `service` (and reads the tenant's
    `has_calendars`: read in the locking statement, a calendar connected meanwhile is seen, busy.py
    `connections_changed`)."""
    offering = Staff.objects.select_for_update(of=("self",)).filter(pk=staff.pk, services=service)
    found = list(offering.values_list("tenant__has_calendars", flat=True))
    if not found:
        raise not_offering(service, staff)
    return Offering(service, staff, bool(found[0]))


def lock_offering_by_ids(tenant_id: int, service_id: int, staff_id: int) -> Offering:
    """The tenant's service and staff member, read by the statement that locks the staff member and proves
    they offer the service; when there is no such pair, the reason."""
    with rows.cursor() as cursor:
        cursor.execute(_offering_sql(connection.vendor), [service_id, tenant_id, staff_id, tenant_id])
        found = cursor.fetchone()
    if found is None:
        service = Service.objects.filter(tenant_id=tenant_id, pk=service_id).first()
        if service is None:
            raise UnknownId("unknown_service", "No such service.", field="service_id")
        staff = Staff.objects.filter(tenant_id=tenant_id, pk=staff_id).first()
        if staff is None:
            raise UnknownId("unknown_staff", "No such staff member.", field="staff_id")
        raise not_offering(service, staff)
    service_columns = len(rows.all_fields(Service))
    return Offering(
        rows.from_db(Service, rows.all_fields(Service), found[:service_columns]),
        rows.from_db(Staff, rows.all_fields(Staff), found[service_columns:-1]),
        bool(found[-1]),
    )


@cache
def _offering_sql(vendor: str) -> str:
    # Written out rather than compiled by the ORM on every booking: compiling this join cost a fifth of the
    # booking's CPU time.
    quote = connection.ops.quote_name
    offers = Service._meta.get_field("staff")
    assert isinstance(offers, ManyToManyField)
    link = quote(Service.staff.through._meta.db_table)
    service_id, staff_id = quote(offers.m2m_column_name()), quote(offers.m2m_reverse_name())
    service_columns = rows.columns(rows.all_fields(Service), "service")
    staff_columns = rows.columns(rows.all_fields(Staff), "staff")
    sql = (
        f"SELECT {service_columns}, {staff_columns}, tenant.has_calendars"
        f" FROM {quote(Service._meta.db_table)} service"
        f" JOIN {link} offers ON offers.{service_id} = service.id"
        f" JOIN {quote(Staff._meta.db_table)} staff ON staff.id = offers.{staff_id}"
        f" JOIN {quote(Tenant._meta.db_table)} tenant ON tenant.id = staff.tenant_id"
        " WHERE service.id = %s AND service.tenant_id = %s AND staff.id = %s AND staff.tenant_id = %s"
    )
    # SQLite has no row locks: its transaction holds the one write lock from BEGIN IMMEDIATE.
    return sql + " FOR UPDATE OF staff" if vendor == "postgresql" else sql


def lock_staff(*staff: Staff) -> None:
    """Serialize writers per staff member, in id order so two movers between a pair cannot deadlock."""
    lock_staff_ids(member.pk for member in staff)


def lock_staff_ids(ids: Iterable[int]) -> None:
    ordered = sorted(set(ids))
    list(Staff.objects.select_for_update().filter(pk__in=ordered).order_by("pk").values_list("pk", flat=True))


def lock_booking(booking: Booking, *also: Staff) -> Booking:
    """The booking read afresh while its staff member (and `also`) is locked."""
    return _read_under_lock(
        # With its tenant: what is announced carries its `has_calendars` (events.AppointmentChanged).
        lambda: Booking.objects.select_related(
            "appointment__service", "appointment__staff", "appointment__tenant"
        ).get(pk=booking.pk),
        lambda fresh: fresh.appointment.staff_id,
        also,
    )


def lock_appointment(appointment: Appointment, *also: Staff) -> Appointment:
    """The appointment read afresh while its staff member (and `also`) is locked."""
    return _read_under_lock(
        lambda: Appointment.objects.select_related("service", "staff", "tenant").get(pk=appointment.pk),
        lambda fresh: fresh.staff_id,
        also,
    )


def _read_under_lock(
    read: Callable[[], Row], staff_id_of: Callable[[Row], int], also: Iterable[Staff]
) -> Row:
    """Read a row, lock its staff member and `also`, and read it again until a read made under the lock names
    only locked staff (the row may have moved to someone else while we waited).

    Reading before locking would let two concurrent cancels both see "confirmed" and both give the seats back.
    """
    locked: set[int] = set()
    extra: set[int] = {member.pk for member in also}
    while True:
        fresh = read()
        wanted = {staff_id_of(fresh), *extra}
        if wanted <= locked:
            return fresh
        locked |= wanted
        lock_staff_ids(locked)
