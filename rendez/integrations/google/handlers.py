"""Job kinds of the Google Calendar integration."""

from __future__ import annotations

from rendez import jobs
from rendez.calendars.models import CalendarConnection, Provider
from rendez.integrations.google import sync


class SyncCalendars(jobs.Payload):
    connection_id: int


@jobs.handler(sync.SYNC, payload=SyncCalendars, max_attempts=20)
def sync_calendars(payload: SyncCalendars, job: jobs.Job) -> None:
    if job.tenant_id is None:
        raise jobs.PermanentError("a Google sync needs the tenant it acts for")
    connection = (
        CalendarConnection.objects.select_related("staff")
        .filter(pk=payload.connection_id, tenant_id=job.tenant_id, provider=Provider.GOOGLE)
        .first()
    )
    if connection is not None:
        sync.sync_connection(connection)
