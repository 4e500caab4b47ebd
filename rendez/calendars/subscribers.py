"""What the calendar core makes of others' announcements: a `calendars.write_event` job for every appointment
that changed (scheduling's `AppointmentChanged`) or whose meeting link became ready or changed
(conferencing's `MeetingLinkReady`), in tenants that may have a calendar connected.

Subscribed in `CalendarsConfig.ready()`. Builds jobs only (no queries, `jobs.subscribe`): the events carry
the tenant's `has_calendars` where the announcer read its row, and a tenant without calendars gets no job at
all; the job itself finds whether the appointment's staff member has a connected calendar or an event to
keep (writing.write_event), and does nothing when neither.
"""

from __future__ import annotations

from rendez import jobs
from rendez.calendars.payloads import WriteEvent
from rendez.calendars.writing import WRITE_EVENT
from rendez.conferencing.events import MeetingLinkReady
from rendez.scheduling.events import AppointmentChanged


def appointment_changed(event: AppointmentChanged) -> list[jobs.NewJob]:
    return _follow(event.appointment_id, event.tenant_id, event.has_calendars)


def meeting_ready(event: MeetingLinkReady) -> list[jobs.NewJob]:
    return _follow(event.appointment_id, event.tenant_id, event.has_calendars)


def write_job(appointment_id: int, tenant_id: int) -> jobs.NewJob:
    """The appointment's event write; pending ones for the same appointment coalesce into one job."""
    return jobs.NewJob(
        WRITE_EVENT,
        WriteEvent(appointment_id=appointment_id),
        key=f"{WRITE_EVENT}:{appointment_id}",
        coalesce=True,
        tenant_id=tenant_id,
    )


def _follow(appointment_id: int, tenant_id: int, has_calendars: bool | None) -> list[jobs.NewJob]:
    # None: the announcer did not read the tenant's row; the job finds out (a few queries, then nothing).
    if has_calendars is False:
        return []
    return [write_job(appointment_id, tenant_id)]
