"""What conferencing makes of scheduling's announcements: a meeting sync of every appointment that changed.

Subscribed in `ConferencingConfig.ready()`. Builds jobs only (no queries): `jobs.announce` inserts them with
the other subscribers' in one statement.
"""

from __future__ import annotations

from rendez import jobs
from rendez.conferencing.payloads import SYNC_MEETING, SyncMeeting
from rendez.scheduling.events import AppointmentChanged, appointment_key


def meeting_sync(event: AppointmentChanged) -> list[jobs.NewJob]:
    return [sync_job(event.appointment_id, event.tenant_id)]


def sync_job(appointment_id: int, tenant_id: int) -> jobs.NewJob:
    """The appointment's sync; pending requests for the same appointment coalesce into one job."""
    return jobs.NewJob(
        SYNC_MEETING,
        SyncMeeting(appointment_id=appointment_id),
        key=appointment_key(appointment_id),
        coalesce=True,
        tenant_id=tenant_id,
    )
