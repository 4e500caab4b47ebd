"""The floors of bench/booking.py: what a booking writes, by plain psycopg, without Django.

- `FairFloor`: the API's own statements (their SQL text taken from the code that sends them), in the same
  order and transaction: the service's booking questions, customer upsert, weekly hours, time off, the staff
  lock (`FOR UPDATE OF staff`), the appointments near the slot, the appointment, the booking, and both jobs in
  one insert that also NOTIFYs —
  9 statements plus BEGIN and COMMIT, server-side prepared, on the same staff members. What it leaves out is
  only Python: HTTP, Django, ninja, pydantic, the checks on what was read.
- `OldFloor`: the floor of the first round (5 statements: no reads, no lock, prepared by psycopg's default
  threshold, a NOTIFY statement of its own), kept for comparison with the earlier figures.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any


def row_template(model, **values: Any) -> dict[str, Any]:
    """Every column of `model` but the key, with the model's defaults where `values` says nothing."""
    row = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        row[field.column] = values[field.name] if field.name in values else field.get_default()
    return row


def insert_sql(model, row: dict[str, Any], suffix: str = "", rows: int = 1) -> str:
    columns = ", ".join(f'"{column}"' for column in row)
    values = ", ".join(["(" + ", ".join(["%s"] * len(row)) + ")"] * rows)
    return f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES {values} {suffix} RETURNING id'


def _start(client: int, n: int) -> datetime:
    # Far beyond the API's slots (which lie within 60 days), one distinct start per booking.
    now = datetime.now(UTC)
    return now.replace(microsecond=0) + timedelta(days=200, minutes=30 * (client * 10_000 + n))


def _questions_query(tenant_id: int, service_id: int) -> tuple[str, tuple[Any, ...]]:
    """The statement `questions.questions_for_booking` sends, as Django compiles it."""
    from rendez.scheduling.models import ServiceQuestion

    asked = ServiceQuestion.objects.filter(service_id=service_id, service__tenant_id=tenant_id)
    return asked.filter(is_active=True).order_by("position", "pk").query.sql_with_params()


class FairFloor:
    """The API booking's statements and lock, sent by hand: see the module's docstring."""

    statements = 9

    def __init__(self, tenant, service, staff_ids: list[int]) -> None:
        from django.db import connection

        from rendez.jobs import conf
        from rendez.jobs.insert_sql import _statement
        from rendez.jobs.models import Job
        from rendez.lib import rows
        from rendez.scheduling import calendars, services
        from rendez.scheduling.models import Appointment, Booking, Customer

        vendor = connection.vendor
        self.tenant_id, self.service_id, self.staff_ids = tenant.pk, service.pk, staff_ids
        self.duration = timedelta(minutes=service.duration_minutes)
        self.questions_sql, self.questions_params = _questions_query(tenant.pk, service.pk)
        self.customer_sql = services._customer_upsert_sql()
        self.hours_sql = calendars._hours_sql(vendor, 1)
        self.time_off_sql = calendars._time_off_sql(vendor, 1)
        self.lock_sql = services._offering_sql(vendor)
        self.busy_sql = calendars._busy_sql(vendor, 1, False)
        self.appointment_sql = rows._insert_sql(Appointment)
        self.booking_sql = rows._insert_sql(Booking)
        self.jobs_sql = _statement(vendor, 2, True)
        self.channel = conf.NOTIFY_CHANNEL
        self.customer = row_template(Customer, tenant=tenant)
        self.appointment = row_template(Appointment, tenant=tenant, service=service, seats_taken=1)
        self.booking = row_template(Booking, tenant=tenant, status=service.initial_status)
        self.job = row_template(Job, max_attempts=conf.default_max_attempts(), tenant=tenant)
        self.longest = calendars.LONGEST_BLOCK

    def book(self, cursor, client: int, n: int) -> None:
        from psycopg.types.json import Jsonb

        now = datetime.now(UTC)
        start = _start(client, n)
        end = start + self.duration
        staff_id = self.staff_ids[n % len(self.staff_ids)]
        customer = {
            **self.customer,
            "tenant_id": self.tenant_id,
            "name": f"Floor {client}-{n}",
            "email": f"f{client}-{n}@bench.example",
            "created_at": now,
        }
        cursor.execute(self.questions_sql, self.questions_params, prepare=True)
        cursor.fetchall()
        cursor.execute(self.customer_sql, list(customer.values()), prepare=True)
        customer_id = cursor.fetchone()[0]
        reach_start, reach_end = start - self.longest, start + self.longest
        cursor.execute(self.hours_sql, [staff_id], prepare=True)
        cursor.fetchall()
        cursor.execute(self.time_off_sql, [staff_id, reach_end, reach_start], prepare=True)
        cursor.fetchall()
        cursor.execute(
            self.lock_sql, [self.service_id, self.tenant_id, staff_id, self.tenant_id], prepare=True
        )
        cursor.fetchone()
        cursor.execute(self.busy_sql, [staff_id, end, start - self.longest, start], prepare=True)
        cursor.fetchall()
        appointment = {
            **self.appointment,
            "tenant_id": self.tenant_id,
            "service_id": self.service_id,
            "staff_id": staff_id,
            "start": start,
            "end": end,
            "block_start": start,
            "block_end": end,
            "capacity": 1,
            "created_at": now,
            "updated_at": now,
        }
        cursor.execute(self.appointment_sql, list(appointment.values()), prepare=True)
        appointment_id = cursor.fetchone()[0]
        booking = {
            **self.booking,
            "tenant_id": self.tenant_id,
            "appointment_id": appointment_id,
            "customer_id": customer_id,
            "manage_token": secrets.token_urlsafe(24),
            "answers": Jsonb([]),
            "created_at": now,
            "updated_at": now,
        }
        cursor.execute(self.booking_sql, list(booking.values()), prepare=True)
        booking_id = cursor.fetchone()[0]
        cursor.execute(self.jobs_sql, self._jobs(now, start, end, staff_id, appointment_id, booking_id))
        cursor.fetchall()

    def _jobs(self, now, start, end, staff_id, appointment_id, booking_id) -> list[Any]:
        from psycopg.types.json import Jsonb

        sync = {
            **self.job,
            "kind": "conferencing.sync",
            "key": f"appointment:{appointment_id}",
            "payload": Jsonb({"appointment_id": appointment_id}),
            "coalesce": True,
            "run_after": now,
            "created_at": now,
        }
        event = {
            **self.job,
            "kind": "notifications.booking_event",
            "queue": "notifications",
            "key": f"booking:{booking_id}",
            "payload": Jsonb(
                {
                    "booking_id": booking_id,
                    "event": "booking_created",
                    "status": "confirmed",
                    "previous_status": None,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "appointment_id": appointment_id,
                    "staff_id": staff_id,
                }
            ),
            "run_after": now,
            "created_at": now,
        }
        return [*sync.values(), *event.values(), now, self.channel]


class OldFloor:
    """The first round's floor: 5 statements, no reads, no lock."""

    statements = 5

    def __init__(self, tenant, service, staff_ids: list[int]) -> None:
        from django.utils import timezone

        from rendez.jobs.models import Job
        from rendez.scheduling.models import Appointment, Booking, Customer

        now = timezone.now()
        self.tenant, self.service, self.staff_ids = tenant, service, staff_ids
        self.customer = row_template(Customer, tenant=tenant, created_at=now)
        self.appointment = row_template(
            Appointment, tenant=tenant, service=service, seats_taken=1, created_at=now, updated_at=now
        )
        self.booking = row_template(Booking, tenant=tenant, created_at=now, updated_at=now)
        self.job = row_template(Job, created_at=now, run_after=now)
        self.customer_sql = insert_sql(
            Customer,
            self.customer,
            'ON CONFLICT ("tenant_id", "email") DO UPDATE SET "email" = EXCLUDED."email"',
        )
        self.appointment_sql = insert_sql(Appointment, self.appointment)
        self.booking_sql = insert_sql(Booking, self.booking)
        self.jobs_sql = insert_sql(Job, self.job, rows=2)

    def book(self, cursor, client: int, n: int) -> None:
        from psycopg.types.json import Jsonb

        now = datetime.now(UTC)
        # Offset from the fair floor's starts, which share the database.
        start = _start(client + 100, n)
        staff_id = self.staff_ids[n % len(self.staff_ids)]
        customer = {
            **self.customer,
            "tenant_id": self.tenant.pk,
            "name": f"Old floor {client}-{n}",
            "email": f"o{client}-{n}@bench.example",
        }
        cursor.execute(self.customer_sql, list(customer.values()))
        customer_id = cursor.fetchone()[0]
        appointment = {
            **self.appointment,
            "tenant_id": self.tenant.pk,
            "service_id": self.service.pk,
            "staff_id": staff_id,
            "start": start,
            "end": start + timedelta(minutes=30),
            "block_start": start,
            "block_end": start + timedelta(minutes=30),
            "capacity": 1,
        }
        cursor.execute(self.appointment_sql, list(appointment.values()))
        appointment_id = cursor.fetchone()[0]
        booking = {
            **self.booking,
            "tenant_id": self.tenant.pk,
            "appointment_id": appointment_id,
            "customer_id": customer_id,
            "manage_token": secrets.token_urlsafe(24),
        }
        cursor.execute(self.booking_sql, list(booking.values()))
        booking_id = cursor.fetchone()[0]
        sync = {
            **self.job,
            "kind": "conferencing.sync",
            "key": f"appointment:{appointment_id}",
            "payload": Jsonb({"appointment_id": appointment_id}),
            "coalesce": True,
            "run_after": now,
        }
        event = {
            **self.job,
            "kind": "notifications.booking_event",
            "queue": "notifications",
            "key": f"booking:{booking_id}",
            "payload": Jsonb({"booking_id": booking_id, "event": "booking_created", "status": "confirmed"}),
            "run_after": now,
        }
        cursor.execute(self.jobs_sql, [*sync.values(), *event.values()])
        cursor.execute(
            "SELECT pg_notify('rendez_jobs', 'default'), pg_notify('rendez_jobs', 'notifications')"
        )
