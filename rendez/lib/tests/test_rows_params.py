"""`rows.params` gives the hot inserts the parameters Django would: `get_db_prep_save(pre_save(...))` of every
field, auto_now(_add) stamped. (A pass-through of plain strings, numbers and flags was tried against it, and
dropped: no gain measurable, bench/README.md.)"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.db.models import Model
from hypothesis import given, settings
from hypothesis import strategies as st

from rendez.jobs.models import Job
from rendez.lib import rows
from rendez.scheduling.models import Appointment, Booking, Customer

texts = st.text(max_size=20)
numbers = st.integers(min_value=0, max_value=2**31)


def django_params(instance: Model) -> list:
    fields = rows.insert_fields(type(instance))
    return [field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields]


def comparable(instance: Model, values: list) -> list:
    """JSON parameters are wrapper objects: compared by what they wrap. auto_now(_add) fields are stamped
    with the time of each conversion: compared as stamped."""
    fields = rows.insert_fields(type(instance))
    return [
        "stamped"
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        else getattr(value, "obj", value)
        for field, value in zip(fields, values, strict=True)
    ]


@settings(max_examples=30, deadline=None)
@given(
    name=texts,
    email=texts,
    party=numbers,
    notes=texts,
    status=st.sampled_from([*Booking.Status, "confirmed"]),
    tenant_id=numbers,
)
def test_the_hot_rows_get_the_parameters_django_gives_them(name, email, party, notes, status, tenant_id):
    moment = datetime(2026, 3, 1, 10, tzinfo=UTC)
    instances = [
        Customer(tenant_id=tenant_id, name=name, email=email),
        Appointment(
            tenant_id=tenant_id,
            service_id=1,
            staff_id=2,
            start=moment,
            end=moment,
            block_start=moment,
            block_end=moment,
            seats_taken=party,
            capacity=party,
        ),
        Booking(
            tenant_id=tenant_id,
            appointment_id=3,
            customer_id=4,
            party_size=party,
            status=status,
            notes=notes,
            answers=[{"label": name}],
        ),
        Job(kind=name, key=email, payload={"n": party}, run_after=moment, coalesce=party % 2 == 0),
    ]
    for instance in instances:
        fields = rows.insert_fields(type(instance))
        fast = rows.params(instance, fields)
        assert comparable(instance, fast) == comparable(instance, django_params(instance))
        assert all(value is not None for field, value in zip(fields, fast, strict=True) if not field.null)
