"""Notifications' job kinds, each with its payload type (payloads.py) and handler: the whole list is here.

Booking and series events come from scheduling's announcements through `subscribers.py`.
"""

from __future__ import annotations

from rendez import jobs
from rendez.notifications import conf, dispatch, followups, sending, series
from rendez.notifications.payloads import (
    BOOKING_EVENT,
    DELIVER,
    MEETING_READY,
    REMINDER,
    SERIES_EVENT,
    BookingEvent,
    Deliver,
    MeetingReady,
    Reminder,
    SeriesEvent,
)

# A queue of their own: operators can run dedicated workers for messages (a Worker with
# queues={"notifications"}).
QUEUE = "notifications"


@jobs.handler(BOOKING_EVENT, payload=BookingEvent, max_attempts=10, queue=QUEUE)
def booking_event(payload: BookingEvent, job: jobs.Job) -> None:
    dispatch.handle_booking_event(payload, job)


@jobs.handler(REMINDER, payload=Reminder, max_attempts=10, queue=QUEUE)
def reminder(payload: Reminder, job: jobs.Job) -> None:
    dispatch.handle_reminder(payload, job)


@jobs.handler(DELIVER, payload=Deliver, max_attempts=conf.max_attempts(), queue=QUEUE)
def deliver(payload: Deliver, job: jobs.Job) -> None:
    sending.handle_deliver(payload, job)


@jobs.handler(MEETING_READY, payload=MeetingReady, max_attempts=10, queue=QUEUE)
def meeting_ready(payload: MeetingReady, job: jobs.Job) -> None:
    followups.handle_meeting_ready(payload, job)


@jobs.handler(SERIES_EVENT, payload=SeriesEvent, max_attempts=10, queue=QUEUE)
def series_event(payload: SeriesEvent, job: jobs.Job) -> None:
    series.handle_series_event(payload, job)
