"""Background work of the connection side: revoking tokens, telling people about broken connections, giving
back grants nobody confirmed."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from rendez import jobs
from rendez.integrations.oauth import revocation
from rendez.integrations.zoom import confirmations, health, notices, oauth
from rendez.integrations.zoom.connections import REVOKE_JOB
from rendez.integrations.zoom.models import Connection, Mode
from rendez.lib import vault

# Other code may revoke a Zoom token through the shared `oauth.revoke` job as well.
revocation.register("zoom", oauth.provider)


class RevokePayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str  # encrypted
    mode: str
    client_id: str = ""
    client_secret: str = ""  # encrypted


class ExpirePendingPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pending_id: int


class NoticePayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connection_id: int
    broken_at: datetime
    number: int


@jobs.handler(REVOKE_JOB, max_attempts=10)
def revoke(payload: dict, job: jobs.Job) -> None:
    data = RevokePayload.model_validate(payload)
    credentials = None
    if data.mode == Mode.TENANT_S2S:
        credentials = (data.client_id, vault.decrypt(data.client_secret))
    revocation.revoke_now(oauth.provider(), vault.decrypt(data.token), credentials)


@jobs.handler(health.NOTICE_JOB, max_attempts=8)
def connection_notice(payload: dict, job: jobs.Job) -> None:
    data = NoticePayload.model_validate(payload)
    connection = Connection.objects.select_related("tenant", "staff").filter(pk=data.connection_id).first()
    if connection is None or not health.REMINDERS.due(connection, data.broken_at):
        return  # Fixed, removed, or broken again since (that breakage has its own notices).
    notices.send(connection, data.number)
    health.REMINDERS.follow_up(connection, data.number)


@jobs.handler(confirmations.EXPIRE_JOB, max_attempts=10)
def expire_pending_connect(payload: dict, job: jobs.Job) -> None:
    confirmations.expire(ExpirePendingPayload.model_validate(payload).pending_id)
