"""Which dead-lettered jobs belong to a tenant: those enqueued for it (`Job.tenant_id`, set at enqueue).

The list reads `jobs_dead_by_tenant_idx` (tenant, newest first, dead jobs only), so its cost does not grow
with other tenants' dead jobs. A job enqueued for no tenant (installation-wide work, or a `zoom.revoke` whose
payload is only an encrypted token) is in no tenant's list.
"""

from __future__ import annotations

from django.db import models
from django.http import Http404

from rendez.conferencing.models import Meeting
from rendez.jobs.models import Job
from rendez.notifications.models import Delivery
from rendez.scheduling.models import Appointment, Booking, Staff
from rendez.tenants.models import Tenant
from rendez.web.panel import sections

# kind -> (payload key, the model it names): what the list shows a job is about. Integrations add their own
# kinds (`sections.add_job_reference`; Zoom's `zoom.connection_notice`).
REFERENCES: dict[str, tuple[str, type[models.Model]]] = {
    "notifications.booking_event": ("booking_id", Booking),
    "notifications.reminder": ("booking_id", Booking),
    "notifications.deliver": ("delivery_id", Delivery),
    "notifications.meeting_ready": ("appointment_id", Appointment),
    "conferencing.sync": ("appointment_id", Appointment),
    "conferencing.meeting_notice": ("meeting_id", Meeting),
    "conferencing.changed_elsewhere": ("meeting_id", Meeting),
    "staff.send_invitation": ("staff_id", Staff),
}


def _dead_of(tenant: Tenant) -> models.QuerySet[Job]:
    return Job.objects.filter(tenant_id=tenant.pk, state=Job.State.DEAD)


def dead_jobs_of(tenant: Tenant, limit: int = 100) -> list[Job]:
    """The tenant's dead jobs, newest first, at most `limit`."""
    return list(_dead_of(tenant).order_by("-id")[:limit])


def dead_job_of(tenant: Tenant, job_id: int) -> Job:
    """One of the tenant's dead jobs, else 404 (another tenant's, nobody's, or not dead)."""
    job = _dead_of(tenant).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


def reference_label(job: Job) -> str:
    """'booking 12', 'appointment 7' ... what the job is about, for the list ("" when the payload names
    nothing it knows)."""
    rule = REFERENCES.get(job.kind) or sections.job_references().get(job.kind)
    if rule is None or not isinstance(job.payload, dict):
        return ""
    key, model = rule
    value = job.payload.get(key)
    if type(value) is not int:  # bools and strings are no ids
        return ""
    return f"{model._meta.verbose_name} {value}"
