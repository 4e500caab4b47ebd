"""Job kinds of the Google Calendar integration: syncing, the notices of a broken connection; and Google as a
provider the kit's `oauth.revoke` job revokes with."""

from __future__ import annotations

from rendez import jobs
from rendez.calendars import syncing
from rendez.calendars.models import CalendarConnection, Provider
from rendez.calendars.payloads import SyncConnection
from rendez.integrations.google import notices, sync, tokens
from rendez.integrations.oauth import revocation

revocation.register("google", tokens.provider)


@jobs.handler(sync.SYNC, payload=SyncConnection, max_attempts=20)
def sync_calendars(payload: SyncConnection, job: jobs.Job) -> None:
    connection = syncing.connection_to_sync(Provider.GOOGLE.value, payload, job)
    if connection is not None:
        sync.sync_connection(connection)


@jobs.handler(tokens.NOTICE_JOB, payload=notices.NoticePayload, max_attempts=8)
def connection_notice(data: notices.NoticePayload, job: jobs.Job) -> None:
    if job.tenant_id is None:
        raise jobs.PermanentError("a Google connection notice needs the tenant it is about")
    connection = (
        CalendarConnection.objects.select_related("staff")
        .filter(pk=data.connection_id, tenant_id=job.tenant_id, provider=Provider.GOOGLE)
        .first()
    )
    if connection is None or connection.status != CalendarConnection.Status.NEEDS_RECONNECT:
        return  # Fixed, disconnected or removed: nothing to tell.
    if not tokens.REMINDERS.due(connection, data.broken_at):
        return  # Broken again since: that breakage has its own notices.
    notices.send(connection, data.number)
    tokens.REMINDERS.follow_up(connection, data.number)
