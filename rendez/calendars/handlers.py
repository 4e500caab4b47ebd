"""Job kinds of the calendar core: event writing, and the reconnect notices of every provider."""

from __future__ import annotations

from rendez import jobs
from rendez.calendars import notices, writing
from rendez.calendars.models import Provider
from rendez.calendars.payloads import WriteEvent


@jobs.handler(writing.WRITE_EVENT, payload=WriteEvent, max_attempts=10)
def write_event(payload: WriteEvent, job: jobs.Job) -> None:
    if job.tenant_id is None:
        raise jobs.PermanentError("calendars.write_event needs the tenant it acts for")
    writing.write_event(job.tenant_id, payload.appointment_id)


for _provider in Provider.values:
    jobs.handler(notices.notice_job(_provider), payload=notices.NoticePayload, max_attempts=8)(
        notices.handle_notice
    )
