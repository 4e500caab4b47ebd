"""Job handlers of the notifications app (discovered by `rendez.jobs` at startup)."""

from __future__ import annotations

from typing import Any

from rendez import jobs
from rendez.notifications import conf, dispatch, followups, sending, series

# A queue of their own: operators can run dedicated workers for messages (a Worker with
# queues={"notifications"}).
QUEUE = "notifications"


@jobs.handler("notifications.booking_event", max_attempts=10, queue=QUEUE)
def booking_event(payload: dict[str, Any], job: jobs.Job) -> None:
    dispatch.handle_booking_event(payload, job)


@jobs.handler(dispatch.REMINDER, max_attempts=10, queue=QUEUE)
def reminder(payload: dict[str, Any], job: jobs.Job) -> None:
    dispatch.handle_reminder(payload, job)


@jobs.handler(dispatch.DELIVER, max_attempts=conf.max_attempts(), queue=QUEUE)
def deliver(payload: dict[str, Any], job: jobs.Job) -> None:
    sending.handle_deliver(payload, job)


@jobs.handler(followups.MEETING_READY, max_attempts=10, queue=QUEUE)
def meeting_ready(payload: dict[str, Any], job: jobs.Job) -> None:
    followups.handle_meeting_ready(payload, job)


@jobs.handler(series.SERIES_EVENT, max_attempts=10, queue=QUEUE)
def series_event(payload: dict[str, Any], job: jobs.Job) -> None:
    series.handle_series_event(payload, job)
