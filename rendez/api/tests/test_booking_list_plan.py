"""The bookings list reads one tenant's rows through a tenant index, however many other tenants there are.

PostgreSQL only: the query the endpoint really sends is captured and EXPLAINed beside 20,000 appointments of
100 other tenants (made in the server with generate_series, then ANALYZEd so the planner knows them).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rendez.api.tests.fixtures import berlin, booking_body
from rendez.scheduling.tests.crowd import add_other_tenants, plan_nodes

pytestmark = pytest.mark.postgres

SCANNED_TABLES = {"scheduling_appointment", "scheduling_booking"}


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
    """Tables read through an index that starts with the tenant. A Bitmap Index Scan names only its index (the
    table is its parent's), so the table is looked up by the index's name."""
    return {
        node.get("Relation Name") or table_of_index(node["Index Name"])
        for node in nodes
        if "Index" in node["Node Type"] and "tenant" in node.get("Index Name", "")
    }


def table_of_index(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_indexes WHERE indexname = %s", [name])
        (table,) = cursor.fetchone()
    return table
