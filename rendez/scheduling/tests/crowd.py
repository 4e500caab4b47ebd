"""Other tenants' rows in bulk, and the query plans read beside them (PostgreSQL only).

The crowd is made in the server with generate_series (seconds for tens of thousands of rows, where the ORM
would take minutes), then ANALYZEd so the planner knows it. `whole_table_reads(sql)` EXPLAINs a query and
names the crowded tables it would read whole: a tenant's page must read none of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db import connection

CROWDED_TABLES = frozenset(
    {
        "scheduling_appointment",
        "scheduling_booking",
        "scheduling_customer",
        "notifications_delivery",
        "conferencing_meeting",
    }
)
CUSTOMERS_EACH = 50
OTHERS = "SELECT id FROM tenants_tenant WHERE slug LIKE 'other-%%'"


def add_other_tenants(count: int = 100, appointments_each: int = 200) -> None:
    """`count` tenants, each with a staff member, a service, 50 customers and `appointments_each` appointments
    one day apart (half of them ahead), one booking, a sent email and a failed meeting each."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO tenants_tenant (slug, name, timezone, address, meetings_for_pending, is_active,
                   created_at)
               SELECT 'other-' || n, 'Other', 'UTC', '', false, true, now() FROM generate_series(1, %s) n""",
            [count],
        )
        cursor.execute(
            f"""INSERT INTO scheduling_staff (tenant_id, name, email, phone, timezone, is_active)
                SELECT id, 'Staff', '', '', 'UTC', true FROM ({OTHERS}) t"""
        )
        cursor.execute(
            f"""INSERT INTO scheduling_service (tenant_id, name, description, duration_minutes,
                    buffer_before_minutes, buffer_after_minutes, capacity, min_notice_minutes, horizon_days,
                    price, location_type, initial_status, video_provider, meeting_options, is_active)
                SELECT id, 'Talk', '', 30, 0, 0, 1, 0, 60, 0, 'video', 'confirmed', NULL, '{{}}', true
                FROM ({OTHERS}) t"""
        )
        cursor.execute(
            f"""INSERT INTO scheduling_customer (tenant_id, name, email, phone, timezone, created_at)
                SELECT id, 'Customer', 'c' || n || '@example.com', '', '', now()
                FROM ({OTHERS}) t CROSS JOIN generate_series(1, %s) n""",
            [CUSTOMERS_EACH],
        )
        cursor.execute(
            f"""INSERT INTO scheduling_appointment (tenant_id, service_id, staff_id, start, "end",
                    block_start, block_end, seats_taken, capacity, created_at, updated_at)
                SELECT v.tenant_id, v.id, s.id, at, at + interval '30 minutes', at,
                    at + interval '30 minutes', 1, 1, now(), now()
                FROM scheduling_service v JOIN scheduling_staff s ON s.tenant_id = v.tenant_id
                CROSS JOIN generate_series(1, %s) i
                CROSS JOIN LATERAL (SELECT now() + (i - %s) * interval '1 day' AS at) moment
                WHERE v.tenant_id IN ({OTHERS})""",
            [appointments_each, appointments_each // 2],
        )
        cursor.execute(
            f"""INSERT INTO scheduling_booking (tenant_id, appointment_id, customer_id, party_size, status,
                    manage_token, notes, created_at, updated_at)
                SELECT a.tenant_id, a.id, c.id, 1, 'confirmed', 'other-' || a.id, '', now(), now()
                FROM scheduling_appointment a JOIN scheduling_customer c
                    ON c.tenant_id = a.tenant_id AND c.email = 'c' || (1 + a.id %% %s) || '@example.com'
                WHERE a.tenant_id IN ({OTHERS})""",
            [CUSTOMERS_EACH],
        )
        _add_deliveries_and_meetings(cursor)
        cursor.execute("ANALYZE")


def _add_deliveries_and_meetings(cursor) -> None:
    cursor.execute(
        f"""INSERT INTO notifications_delivery (tenant_id, booking_id, event, channel, recipient_kind,
                recipient, recipient_timezone, dedupe_key, subject, body, state, attempts, last_error, note,
                external_id, former_staff, link_follows, meeting_link, message_id, created_at, updated_at,
                sent_at)
            SELECT b.tenant_id, b.id, 'booking_confirmed', 'email', 'customer', 'c@example.com', 'UTC',
                'other-' || b.id, 'Booked', 'See you', 'sent', 1, '', '', '', false, false, '',
                '<other-' || b.id || '@example.com>', now(), now(), now()
            FROM scheduling_booking b WHERE b.tenant_id IN ({OTHERS})"""
    )
    cursor.execute(
        f"""INSERT INTO conferencing_meeting (tenant_id, appointment_id, provider, external_id, join_url,
                password, host_id, state, last_error, attempts, host_user_key, host_account_id, host_email,
                verify_due, sent_timezone, topic, provider_external_id, created_at, updated_at)
            SELECT a.tenant_id, a.id, 'zoom', 'z' || a.id, '', '', '', 'failed', 'refused', 1, '', '', '',
                false, '', '', '', now(), now()
            FROM scheduling_appointment a WHERE a.tenant_id IN ({OTHERS})"""
    )


def plan_nodes(sql: str) -> Iterator[dict]:
    """Every node of the plan PostgreSQL chooses for `sql`."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (document,) = cursor.fetchone()
    plan = document if isinstance(document, list) else json.loads(document)
    pending = [plan[0]["Plan"]]
    while pending:
        node = pending.pop()
        yield node
        pending.extend(node.get("Plans", []))


def whole_table_reads(sql: str) -> set[str]:
    """The crowded tables `sql` would read from end to end: by a sequential scan, or by walking a whole index
    in its order (an index scan with no condition, as for `ORDER BY id DESC LIMIT n` filtered afterwards)."""
    return {
        node["Relation Name"]
        for node in plan_nodes(sql)
        if node.get("Relation Name") in CROWDED_TABLES
        and (node["Node Type"] == "Seq Scan" or ("Index" in node["Node Type"] and "Index Cond" not in node))
    }
