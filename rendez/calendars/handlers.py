"""Job kinds of the calendar core."""

from __future__ import annotations

from typing import Any

from rendez import jobs
from rendez.calendars import writing


@jobs.handler(writing.WRITE_EVENT, max_attempts=10)
def write_event(payload: dict[str, Any], job: jobs.Job) -> None:
    if job.tenant_id is None:
        raise jobs.PermanentError("calendars.write_event needs the tenant it acts for")
    writing.write_event(job.tenant_id, int(payload["appointment_id"]))
