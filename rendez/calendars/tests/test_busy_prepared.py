"""The busy-block read is a server-side prepared statement on PostgreSQL, like the booking path's other
hand-written statements (rendez/lib/rows.py `cursor`), and answers the same through it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection

from rendez.calendars import busy
from rendez.calendars.models import BusyBlock, CalendarConnection
from rendez.scheduling.availability import Interval
from rendez.scheduling.tests.factories import make_staff, make_tenant

pytestmark = pytest.mark.postgres

BASE = datetime.fromisoformat("2030-03-04T09:00:00+01:00")


def prepared_busy_read() -> list[str]:
    """The parameter types PostgreSQL gave the prepared busy-block read (none if it was not prepared)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CAST(parameter_types AS text) FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{BusyBlock._meta.db_table}%"],
        )
        return [types for (types,) in cursor.fetchall()]


def test_the_busy_block_read_is_prepared_and_reads_the_same_each_time(db):
    tenant = make_tenant("busy-prepared")
    staff = [make_staff(tenant, name) for name in ("Maria", "Jonas")]
    links = [
        CalendarConnection.objects.create(tenant=tenant, staff=member, provider="google") for member in staff
    ]
    for number, link in enumerate(links):
        start = BASE + timedelta(hours=number)
        busy.replace_blocks(
            link, "primary", [busy.Block("primary", f"e{number}", start, start + timedelta(hours=1))]
        )
    reach = Interval(BASE - timedelta(days=1), BASE + timedelta(days=1))
    ids = [member.pk for member in staff]

    answers = [busy.busy_of_staff(tenant.pk, ids, reach) for _ in range(3)]

    # Bound by the server with their types: the reach's bounds as instants (timestamptz), not text.
    [types] = prepared_busy_read()
    assert types.endswith(',"timestamp with time zone","timestamp with time zone"}'), types
    expected = {
        member.pk: [Interval(BASE + timedelta(hours=n), BASE + timedelta(hours=n + 1))]
        for n, member in enumerate(staff)
    }
    assert all(answer == expected for answer in answers)
    # The reach's bounds are compared as instants, whatever zone they come in.
    narrow = Interval(BASE + timedelta(minutes=30), BASE + timedelta(minutes=40))
    assert busy.busy_of_staff(tenant.pk, ids, narrow) == {staff[0].pk: expected[staff[0].pk]}
