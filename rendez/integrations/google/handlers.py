"""Job kinds of the Google Calendar integration: syncing (the notices of a broken connection are the calendar
core's, rendez/calendars/notices.py); and Google as a provider the kit's `oauth.revoke` job revokes with."""

from __future__ import annotations

from rendez import jobs
from rendez.calendars import syncing
from rendez.calendars.models import Provider
from rendez.calendars.payloads import SyncConnection
from rendez.integrations.google import sync, tokens
from rendez.integrations.oauth import revocation

revocation.register("google", tokens.provider)


@jobs.handler(sync.SYNC, payload=SyncConnection, max_attempts=20)
def sync_calendars(payload: SyncConnection, job: jobs.Job) -> None:
    connection = syncing.connection_to_sync(Provider.GOOGLE.value, payload, job)
    if connection is not None:
        sync.sync_connection(connection)
