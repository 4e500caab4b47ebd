"""Background work of the connection side: revoking tokens, telling people about broken connections, giving
back grants nobody confirmed."""

from __future__ import annotations

from rendez import jobs
from rendez.integrations.zoom import confirmations, health, notices, oauth
from rendez.integrations.zoom.errors import OAuthGrantError, ZoomUnavailable
from rendez.integrations.zoom.models import Connection, Mode
from rendez.integrations.zoom.payloads import (
    EXPIRE_JOB,
    NOTICE_JOB,
    REVOKE_JOB,
    ExpirePendingPayload,
    NoticePayload,
    RevokePayload,
)
from rendez.lib import vault


@jobs.handler(REVOKE_JOB, payload=RevokePayload, max_attempts=10)
def revoke(data: RevokePayload, job: jobs.Job) -> None:
    credentials = None
    if data.mode == Mode.TENANT_S2S:
        credentials = (data.client_id, vault.decrypt(data.client_secret))
    try:
        oauth.revoke(vault.decrypt(data.token), credentials)
    except ZoomUnavailable as exc:
        raise jobs.Retry(reason=exc.message) from None
    except OAuthGrantError as exc:
        # The token cannot be revoked (the app's credentials changed): nothing more can be done from here.
        raise jobs.PermanentError(exc.message) from None


@jobs.handler(NOTICE_JOB, payload=NoticePayload, max_attempts=8)
def connection_notice(data: NoticePayload, job: jobs.Job) -> None:
    connection = Connection.objects.select_related("tenant", "staff").filter(pk=data.connection_id).first()
    if connection is None or connection.is_usable or connection.broken_at != data.broken_at:
        return  # Fixed, removed, or broken again since (that breakage has its own notices).
    notices.send(connection, data.number)
    if data.number < len(health.REMINDER_DAYS):
        health.schedule_notice(connection, data.number + 1)


@jobs.handler(EXPIRE_JOB, payload=ExpirePendingPayload, max_attempts=10)
def expire_pending_connect(data: ExpirePendingPayload, job: jobs.Job) -> None:
    confirmations.expire(data.pending_id)
