"""Job kinds of the Microsoft 365 calendar integration."""

from __future__ import annotations

from rendez import jobs
from rendez.calendars import syncing
from rendez.calendars.models import Provider
from rendez.calendars.payloads import SyncConnection
from rendez.integrations.microsoft import sync


@jobs.handler(sync.SYNC, payload=SyncConnection, max_attempts=20)
def sync_calendars(payload: SyncConnection, job: jobs.Job) -> None:
    connection = syncing.connection_to_sync(Provider.MICROSOFT.value, payload, job)
    if connection is not None:
        sync.sync_connection(connection)
