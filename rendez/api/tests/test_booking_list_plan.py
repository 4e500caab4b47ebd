"""The bookings list reads one tenant's rows through a tenant index, however many other tenants there are.

PostgreSQL only: the query the endpoint really sends is captured and EXPLAINed beside 20,000 appointments of
100 other tenants (made in the server with generate_series, then ANALYZEd so the planner knows them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rendez.api.tests.conftest import berlin, booking_body

pytestmark = pytest.mark.postgres

OTHER_TENANTS = 100
APPOINTMENTS_EACH = 200
SCANNED_TABLES = {"scheduling_appointment", "scheduling_booking"}


def add_other_tenants() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO tenants_tenant (slug, name, timezone, address, meetings_for_pending, is_active,
                   created_at)
               SELECT 'other-' || n, 'Other', 'UTC', '', false, true, now() FROM generate_series(1, %s) n""",
            [OTHER_TENANTS],
        )
        others = "SELECT id FROM tenants_tenant WHERE slug LIKE 'other-%%'"
        cursor.execute(
            f"""INSERT INTO scheduling_staff (tenant_id, name, email, phone, timezone, is_active)
                SELECT id, 'Staff', '', '', 'UTC', true FROM ({others}) t"""
        )
        cursor.execute(
            f"""INSERT INTO scheduling_service (tenant_id, name, description, duration_minutes,
                    buffer_before_minutes, buffer_after_minutes, capacity, min_notice_minutes, horizon_days,
                    price, location_type, initial_status, zoom_enabled, meeting_options, is_active)
                SELECT id, 'Talk', '', 30, 0, 0, 1, 0, 60, 0, 'video', 'confirmed', false, '{{}}', true
                FROM ({others}) t"""
        )
        cursor.execute(
            f"""INSERT INTO scheduling_customer (tenant_id, name, email, phone, timezone, created_at)
                SELECT id, 'Customer', 'c@example.com', '', '', now() FROM ({others}) t"""
        )
        # Half of each tenant's appointments lie ahead, so the other tenants crowd the upcoming range too.
        cursor.execute(
            f"""INSERT INTO scheduling_appointment (tenant_id, service_id, staff_id, start, "end",
                    block_start, block_end, seats_taken, capacity, created_at, updated_at)
                SELECT v.tenant_id, v.id, s.id, at, at + interval '30 minutes', at,
                    at + interval '30 minutes', 1, 1, now(), now()
                FROM scheduling_service v JOIN scheduling_staff s ON s.tenant_id = v.tenant_id
                CROSS JOIN generate_series(1, %s) i
                CROSS JOIN LATERAL (SELECT now() + (i - %s) * interval '1 day' AS at) moment
                WHERE v.tenant_id IN ({others})""",
            [APPOINTMENTS_EACH, APPOINTMENTS_EACH // 2],
        )
        cursor.execute(
            f"""INSERT INTO scheduling_booking (tenant_id, appointment_id, customer_id, party_size, status,
                    manage_token, notes, created_at, updated_at)
                SELECT a.tenant_id, a.id, c.id, 1, 'confirmed', 'other-' || a.id, '', now(), now()
                FROM scheduling_appointment a JOIN scheduling_customer c ON c.tenant_id = a.tenant_id
                WHERE a.tenant_id IN ({others})"""
        )
        cursor.execute("ANALYZE")


def plan_nodes(sql: str) -> Iterator[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (document,) = cursor.fetchone()
    plan = document if isinstance(document, list) else json.loads(document)
    pending = [plan[0]["Plan"]]
    while pending:
        node = pending.pop()
        yield node
        pending.extend(node.get("Plans", []))


def list_queries(api, params: dict) -> list[str]:
    """The SQL the list request sends to read bookings: the page, then the count (ninja's order)."""
    with CaptureQueriesContext(connection) as captured:
        assert api.get("/bookings", params).status_code == 200
    return [q["sql"] for q in captured.captured_queries if 'FROM "scheduling_booking"' in q["sql"]]


def test_the_list_reads_only_the_tenants_rows_through_its_indexes(alice_api, consultation, dora, monday):
    for hour in (9, 10, 11):
        alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, hour), f"C{hour}"))
    add_other_tenants()

    for when in ("upcoming", "past", "all"):
        page, count = list_queries(alice_api, {"when": when})
        for sql in (page, count):
            nodes = list(plan_nodes(sql))
            seq_scans = {node["Relation Name"] for node in nodes if node["Node Type"] == "Seq Scan"}
            assert not seq_scans & SCANNED_TABLES, (when, sql, nodes)
            # Bookings come by appointment key or by their own tenant index: bounded by the tenant either way.
            assert "scheduling_appointment" in tenant_index_reads(nodes), (when, sql, nodes)
        # The page comes in order straight from the index: no sort of the tenant's rows before the limit.
        assert "appointment_tenant_start_idx" in {node.get("Index Name") for node in plan_nodes(page)}


def tenant_index_reads(nodes: list[dict]) -> set[str]:
    """Tables read through an index that starts with the tenant."""
    return {
        node["Relation Name"]
        for node in nodes
        if "Index" in node["Node Type"] and "tenant" in node.get("Index Name", "")
    }
