"""Job kinds of the Google Calendar integration."""

from __future__ import annotations

from rendez import jobs
from rendez.calendars.models import CalendarConnection, Provider
from rendez.calendars.payloads import SyncConnection
from rendez.integrations.google import sync


@jobs.handler(sync.SYNC, payload=SyncConnection, max_attempts=20)
def sync_calendars(payload: SyncConnection, job: jobs.Job) -> None:
    if job.tenant_id is None:
        raise jobs.PermanentError("a Google sync needs the tenant it acts for")
    connection = (
        CalendarConnection.objects.select_related("staff")
        .filter(pk=payload.connection_id, tenant_id=job.tenant_id, provider=Provider.GOOGLE)
        .first()
    )
    if connection is not None:
        sync.sync_connection(connection)
