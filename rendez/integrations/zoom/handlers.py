"""Background work of the connection side: revoking tokens, telling people about broken connections, giving
back grants nobody confirmed."""

from __future__ import annotations

from rendez import jobs
from rendez.integrations.oauth import revocation
from rendez.integrations.zoom import confirmations, health, notices, oauth
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

# Other code may revoke a Zoom token through the shared `oauth.revoke` job as well.
revocation.register("zoom", oauth.provider)


@jobs.handler(REVOKE_JOB, payload=RevokePayload, max_attempts=10)
def revoke(data: RevokePayload, job: jobs.Job) -> None:
    credentials = None
    if data.mode == Mode.TENANT_S2S:
        credentials = (data.client_id, vault.decrypt(data.client_secret))
    revocation.revoke_now(oauth.provider(), vault.decrypt(data.token), credentials)


@jobs.handler(NOTICE_JOB, payload=NoticePayload, max_attempts=8)
def connection_notice(data: NoticePayload, job: jobs.Job) -> None:
    connection = Connection.objects.select_related("tenant", "staff").filter(pk=data.connection_id).first()
    if connection is None or not health.REMINDERS.due(connection, data.broken_at):
        return  # Fixed, removed, or broken again since (that breakage has its own notices).
    notices.send(connection, data.number)
    health.REMINDERS.follow_up(connection, data.number)


@jobs.handler(EXPIRE_JOB, payload=ExpirePendingPayload, max_attempts=10)
def expire_pending_connect(data: ExpirePendingPayload, job: jobs.Job) -> None:
    confirmations.expire(data.pending_id)
