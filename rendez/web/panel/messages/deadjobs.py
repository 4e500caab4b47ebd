"""Which dead-lettered jobs belong to a tenant.

Jobs have no tenant column: a job is the tenant's when its kind is one whose payload names a row of a
tenant-owned table (a booking, an appointment, a delivery, a meeting, a Zoom connection) and that row is the
tenant's. A kind not listed here, or a payload whose reference is missing, not an integer, or points to a row
that no longer exists, cannot be attributed and is never shown (a `zoom.revoke` job carries only an encrypted
token). The check is made in Python against the tenant's rows, so a malformed payload cannot break the query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import models
from django.http import Http404

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom.models import Connection
from rendez.jobs.models import Job
from rendez.notifications.models import Delivery
from rendez.scheduling.models import Appointment, Booking
from rendez.tenants.models import Tenant

# kind -> (payload key, tenant-owned model it names)
ATTRIBUTION: dict[str, tuple[str, type[models.Model]]] = {
    "notifications.booking_event": ("booking_id", Booking),
    "notifications.reminder": ("booking_id", Booking),
    "notifications.deliver": ("delivery_id", Delivery),
    "notifications.meeting_ready": ("appointment_id", Appointment),
    "conferencing.sync": ("appointment_id", Appointment),
    "conferencing.meeting_notice": ("meeting_id", Meeting),
    "conferencing.changed_elsewhere": ("meeting_id", Meeting),
    "zoom.connection_notice": ("connection_id", Connection),
}
CHUNK = 500


def _reference(job: Job) -> tuple[type[models.Model], int] | None:
    rule = ATTRIBUTION.get(job.kind)
    if rule is None or not isinstance(job.payload, dict):
        return None
    key, model = rule
    value = job.payload.get(key)
    if type(value) is not int:  # bools and strings are no ids
        return None
    return model, value


def _theirs(tenant: Tenant, jobs: Iterable[Job]) -> list[Job]:
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    refs: list[tuple[Job, type[models.Model], int]] = []
    for job in jobs:
        ref = _reference(job)
        if ref is not None:
            wanted[ref[0]].add(ref[1])
            refs.append((job, *ref))
    owned = {
        model: set(model._default_manager.filter(tenant=tenant, pk__in=ids).values_list("pk", flat=True))
        for model, ids in wanted.items()
    }
    return [job for job, model, pk in refs if pk in owned[model]]


def dead_jobs_of(tenant: Tenant, limit: int = 100) -> list[Job]:
    """The tenant's dead jobs, newest first, at most `limit`."""
    found: list[Job] = []
    dead = Job.objects.filter(state=Job.State.DEAD, kind__in=list(ATTRIBUTION)).order_by("-id")
    before: int | None = None
    while len(found) < limit:
        page = dead if before is None else dead.filter(id__lt=before)
        chunk = list(page[:CHUNK])
        if not chunk:
            break
        found.extend(_theirs(tenant, chunk))
        before = chunk[-1].pk
    return found[:limit]


def dead_job_of(tenant: Tenant, job_id: int) -> Job:
    """One of the tenant's dead jobs, else 404 (another tenant's, unattributable, or not dead)."""
    job = Job.objects.filter(pk=job_id, state=Job.State.DEAD).first()
    if job is None or not _theirs(tenant, [job]):
        raise Http404
    return job


def reference_label(job: Job) -> str:
    """'booking 12', 'appointment 7' ... what the job is about, for the list."""
    ref = _reference(job)
    if ref is None:
        return ""
    return f"{ref[0]._meta.verbose_name} {ref[1]}"
