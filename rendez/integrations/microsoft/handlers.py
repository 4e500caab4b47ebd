"""Job kinds of the Microsoft 365 calendar integration."""

from __future__ import annotations

from rendez import jobs
from rendez.calendars.models import CalendarConnection, Provider
from rendez.calendars.payloads import SyncConnection
from rendez.integrations.microsoft import sync


@jobs.handler(sync.SYNC, payload=SyncConnection, max_attempts=20)
def sync_calendars(payload: SyncConnection, job: jobs.Job) -> None:
    if job.tenant_id is None:
        raise jobs.PermanentError("a Microsoft sync needs the tenant it acts for")
    connection = (
        CalendarConnection.objects.select_related("staff")
        .filter(pk=payload.connection_id, tenant_id=job.tenant_id, provider=Provider.MICROSOFT)
        .first()
    )
    if connection is not None:
        sync.sync_connection(connection)
