"""Conferencing's job kinds, each with its payload type (payloads.py) and handler: the whole list is here.

`conferencing.sync` is level-triggered and runs one at a time per appointment (its key); scheduling's
announcements become syncs through `subscribers.py`.
"""

from __future__ import annotations

from rendez import jobs
from rendez.conferencing import external, notices, reconcile
from rendez.conferencing.payloads import (
    NOTICE_JOB,
    REPORT_JOB,
    SYNC_MEETING,
    NoticePayload,
    Report,
    SyncMeeting,
)


@jobs.handler(SYNC_MEETING, payload=SyncMeeting, max_attempts=8)
def sync(payload: SyncMeeting, job: jobs.Job) -> None:
    reconcile.sync(
        payload.appointment_id, last_attempt=job.attempts >= job.max_attempts, attempt=job.attempts
    )


@jobs.handler(NOTICE_JOB, payload=NoticePayload, max_attempts=8)
def meeting_notice(payload: NoticePayload, job: jobs.Job) -> None:
    notices.handle_notice(payload)


@jobs.handler(REPORT_JOB, payload=Report, max_attempts=8)
def changed_elsewhere(payload: Report, job: jobs.Job) -> None:
    external.apply_report(payload)
