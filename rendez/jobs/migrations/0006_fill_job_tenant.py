"""Fill `Job.tenant_id` for the jobs enqueued before the column existed, from the row their payload names.

Only open and dead jobs (pending, running, dead); succeeded and cancelled ones are history the panel never
lists and retention deletes. The payloads are read in Python, in batches, rather than cast in SQL: a payload
whose reference is not an integer would make PostgreSQL's cast fail the whole migration. A job whose kind
names no tenant-owned row (`zoom.revoke` carries only an encrypted token) or whose row is gone stays NULL and
is not listed in any tenant's panel, as before.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import migrations

# kind -> (payload key, app label, model): the kinds enqueued for a tenant up to this migration.
REFERENCES = {
    "notifications.booking_event": ("booking_id", "scheduling", "Booking"),
    "notifications.reminder": ("booking_id", "scheduling", "Booking"),
    "notifications.deliver": ("delivery_id", "notifications", "Delivery"),
    "notifications.meeting_ready": ("appointment_id", "scheduling", "Appointment"),
    "conferencing.sync": ("appointment_id", "scheduling", "Appointment"),
    "conferencing.meeting_notice": ("meeting_id", "conferencing", "Meeting"),
    "conferencing.changed_elsewhere": ("meeting_id", "conferencing", "Meeting"),
    "zoom.connection_notice": ("connection_id", "zoom", "Connection"),
}
BATCH = 1000


def fill_tenants(apps: Any, schema_editor: Any) -> None:
    Job = apps.get_model("jobs", "Job")
    unfilled = Job.objects.filter(
        tenant_id__isnull=True, state__in=["pending", "running", "dead"], kind__in=list(REFERENCES)
    ).order_by("id")
    after = 0
    while batch := list(unfilled.filter(id__gt=after).only("id", "kind", "payload")[:BATCH]):
        after = batch[-1].id
        _fill_batch(apps, Job, batch)


def _fill_batch(apps: Any, Job: Any, batch: list[Any]) -> None:
    wanted: dict[tuple[str, str], set[int]] = defaultdict(set)
    for job in batch:
        key, app, model = REFERENCES[job.kind]
        value = job.payload.get(key) if isinstance(job.payload, dict) else None
        if type(value) is int:  # bools and strings are no ids
            wanted[app, model].add(value)
    owners = {
        name: dict(apps.get_model(*name).objects.filter(pk__in=ids).values_list("pk", "tenant_id"))
        for name, ids in wanted.items()
    }
    filled = []
    for job in batch:
        key, app, model = REFERENCES[job.kind]
        value = job.payload.get(key) if isinstance(job.payload, dict) else None
        tenant_id = owners.get((app, model), {}).get(value) if type(value) is int else None
        if tenant_id is not None:
            job.tenant_id = tenant_id
            filled.append(job)
    Job.objects.bulk_update(filled, ["tenant_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0005_job_tenant_and_worker_presence"),
        ("scheduling", "0001_initial"),
        ("notifications", "0001_initial"),
        ("conferencing", "0001_initial"),
        ("zoom", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill_tenants, migrations.RunPython.noop, elidable=True)]
