"""The job kinds of conferencing and what each one's payload holds (registered in handlers.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from rendez import jobs

SYNC_MEETING = "conferencing.sync"
NOTICE_JOB = "conferencing.meeting_notice"
REPORT_JOB = "conferencing.changed_elsewhere"


class SyncMeeting(jobs.Payload):
    """Bring the appointment's meeting to its desired state (level-triggered: requests coalesce)."""

    appointment_id: int


class NoticePayload(jobs.Payload):
    """Tell staff and admins what happened to a meeting (`notices.SUBJECTS` names the events)."""

    meeting_id: int
    event: str
    # What happened, when it is not the record's own `last_error` (a replaced meeting left on its host).
    detail: str = ""


class Report(jobs.Payload):
    """A change made outside Rendez, as the job that applies it receives it."""

    what: Literal["deleted", "moved"]
    meeting_id: int
    external_id: str
    provider: str
    start: datetime | None = None
    duration_minutes: int | None = None
    changed_at: datetime | None = None
