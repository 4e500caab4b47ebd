"""The job kinds of the Zoom integration and what each one's payload holds (registered in handlers.py)."""

from __future__ import annotations

from rendez import jobs

REVOKE_JOB = "zoom.revoke"
NOTICE_JOB = "zoom.connection_notice"
EXPIRE_JOB = "zoom.expire_pending_connect"


class RevokePayload(jobs.Payload):
    token: str  # encrypted
    mode: str
    client_id: str = ""
    client_secret: str = ""  # encrypted


class ExpirePendingPayload(jobs.Payload):
    pending_id: int


class NoticePayload(jobs.Payload):
    """The `number`th notice about the connection's breakage that began at `broken_at`."""

    connection_id: int
    broken_at: jobs.Instant
    number: int
