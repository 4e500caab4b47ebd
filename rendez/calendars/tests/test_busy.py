"""Busy blocks from staff's own calendars take slots away and refuse bookings, in one query."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rendez.api.tests.fixtures import ApiClient
from rendez.calendars import busy
from rendez.calendars.models import BusyBlock, CalendarConnection
from rendez.scheduling import services
from rendez.scheduling.tests.factories import customer, make_api_key, make_service, make_staff, make_tenant
from rendez.tenants.models import Tenant

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def monday() -> date:
    today = date.today()
    return today + timedelta(days=14 - today.weekday())


@pytest.fixture
def world(db):
    tenant = make_tenant("calendars-busy", timezone="Europe/Berlin")
    staff = make_staff(tenant, "Maria")
    service = make_service(tenant, staff, name="Session", duration_minutes=60, slot_interval_minutes=60)
    link = CalendarConnection.objects.create(tenant=tenant, staff=staff, provider="google")
    busy.connections_changed(link)  # what the connection writers do after saving one
    return tenant, staff, service, link, ApiClient(make_api_key(tenant))


def slots(api: ApiClient, service, day: date) -> list[datetime]:
    query = {"service_id": service.pk, "date_from": day.isoformat(), "date_to": day.isoformat()}
    response = api.get("/slots", query)
    assert response.status_code == 200, response.content
    return [datetime.fromisoformat(slot["start"]) for slot in response.json()]


def booking(api: ApiClient, service, staff, start: datetime):
    return api.post(
        "/bookings",
        {
            "service_id": service.pk,
            "staff_id": staff.pk,
            "start": start.isoformat(),
            "customer": {"name": "Charlie", "email": "charlie@example.com"},
        },
    )


def block(link: CalendarConnection, event_id: str, start: datetime, end: datetime) -> busy.Block:
    return busy.Block("primary", event_id, start, end)


def test_a_busy_block_removes_the_slots_it_touches_and_refuses_a_booking_into_them(world, monday):
    tenant, staff, service, link, api = world
    assert berlin(monday, 10) in slots(api, service, monday)
    busy.replace_blocks(link, "primary", [block(link, "dentist", berlin(monday, 10, 30), berlin(monday, 11))])

    assert berlin(monday, 10) not in slots(api, service, monday)
    assert berlin(monday, 11) in slots(api, service, monday)
    refused = booking(api, service, staff, berlin(monday, 10))
    assert refused.status_code == 409, refused.content
    assert refused.json()["error"]["code"] == "conflict"
    assert booking(api, service, staff, berlin(monday, 11)).status_code == 201


def test_slots_and_booking_read_busy_blocks_in_one_statement(world, monday):
    tenant, staff, service, link, api = world
    busy.replace_blocks(link, "primary", [block(link, "x", berlin(monday, 12), berlin(monday, 13))])
    table = BusyBlock._meta.db_table
    for request in (
        lambda: slots(api, service, monday),
        lambda: booking(api, service, staff, berlin(monday, 9)),
    ):
        with CaptureQueriesContext(connection) as captured:
            request()
        assert sum(table in query["sql"] for query in captured.captured_queries) == 1


def busy_statements(request) -> int:
    with CaptureQueriesContext(connection) as captured:
        request()
    return sum(BusyBlock._meta.db_table in query["sql"] for query in captured.captured_queries)


def booking_page_times(client, tenant, service, day: date) -> None:
    for staff in ("any", service.staff.get().pk):
        url = f"/book/{tenant.slug}/{service.pk}/slots?staff={staff}&date={day}&tz=Europe/Berlin"
        response = client.get(url)
        assert response.status_code == 200, response.content


def test_a_tenant_without_calendars_runs_no_busy_block_statement_for_slots_or_bookings(db, client, monday):
    tenant = make_tenant("calendars-none", timezone="Europe/Berlin")
    staff = make_staff(tenant, "Maria")
    service = make_service(tenant, staff, name="Session", duration_minutes=60, slot_interval_minutes=60)
    api = ApiClient(make_api_key(tenant))
    assert not Tenant.objects.get(pk=tenant.pk).has_calendars

    assert busy_statements(lambda: slots(api, service, monday)) == 0
    assert busy_statements(lambda: api.get("/slots", {**day_query(service, monday), "staff_id": "any"})) == 0
    assert busy_statements(lambda: assert_booked(booking(api, service, staff, berlin(monday, 9)))) == 0
    assert busy_statements(lambda: book_directly(service, staff, berlin(monday, 10))) == 0
    assert busy_statements(lambda: booking_page_times(client, tenant, service, monday)) == 0


def test_the_flag_follows_connections_and_the_busy_read_with_it(world, client, monday):
    tenant, staff, service, link, api = world
    assert Tenant.objects.get(pk=tenant.pk).has_calendars
    busy.replace_blocks(link, "primary", [block(link, "x", berlin(monday, 9), berlin(monday, 10))])
    assert busy_statements(lambda: slots(api, service, monday)) == 1
    assert busy_statements(lambda: api.get("/slots", {**day_query(service, monday), "staff_id": "any"})) == 1
    assert busy_statements(lambda: book_directly(service, staff, berlin(monday, 10))) == 1
    assert busy_statements(lambda: booking_page_times(client, tenant, service, monday)) == 2

    # A second connection of the tenant keeps it on when the first goes; the last one turns it off.
    other = CalendarConnection.objects.create(
        tenant=tenant, staff=make_staff(tenant, "Jonas"), provider="microsoft"
    )
    busy.connections_changed(other)
    link.status = CalendarConnection.Status.DISCONNECTED
    link.save()
    busy.connections_changed(link)
    assert Tenant.objects.get(pk=tenant.pk).has_calendars
    other.status = CalendarConnection.Status.NEEDS_RECONNECT  # its blocks still count until disconnected
    other.save()
    busy.connections_changed(other)
    assert Tenant.objects.get(pk=tenant.pk).has_calendars
    other.status = CalendarConnection.Status.DISCONNECTED
    other.save()
    busy.connections_changed(other)
    assert not Tenant.objects.get(pk=tenant.pk).has_calendars
    assert busy_statements(lambda: slots(api, service, monday)) == 0


def day_query(service, day: date) -> dict[str, object]:
    return {"service_id": service.pk, "date_from": day.isoformat(), "date_to": day.isoformat()}


def assert_booked(response) -> None:
    assert response.status_code == 201, response.content


def book_directly(service, staff, start: datetime) -> None:
    """The booking page's and the panel's writer (`services.book`, locking by the rows in hand)."""
    services.book(service=service, staff=staff, start=start, customer=customer("Dana"))


def test_another_tenants_blocks_never_reach_this_tenant(world, monday):
    tenant, staff, service, link, api = world
    other = make_tenant("calendars-other")
    stranger = make_staff(other, "Stranger")
    theirs = CalendarConnection.objects.create(tenant=other, staff=stranger, provider="google")
    busy.connections_changed(theirs)
    busy.replace_blocks(theirs, "primary", [block(theirs, "x", berlin(monday, 9), berlin(monday, 17))])
    assert len(slots(api, service, monday)) == 8


def test_an_incremental_change_moves_and_a_deleted_series_takes_its_instances(world, monday):
    tenant, staff, service, link, api = world
    busy.replace_blocks(
        link,
        "primary",
        [
            block(link, "weekly_20300101", berlin(monday, 9), berlin(monday, 10)),
            block(link, "lunch", berlin(monday, 12), berlin(monday, 13)),
        ],
    )
    busy.apply_changes(
        link, "primary", [block(link, "lunch", berlin(monday, 13), berlin(monday, 14))], ["weekly"]
    )
    left = [(b.external_event_id, b.start) for b in BusyBlock.objects.filter(tenant=tenant)]
    assert left == [("lunch", berlin(monday, 13))]
