"""The job kinds of notifications and what each one's payload holds (registered in handlers.py)."""

from __future__ import annotations

from rendez import jobs

BOOKING_EVENT = "notifications.booking_event"
SERIES_EVENT = "notifications.series_event"
REMINDER = "notifications.reminder"
DELIVER = "notifications.deliver"
MEETING_READY = "notifications.meeting_ready"


class SeriesAction(jobs.Payload):
    id: int
    action: str


class BookingEvent(jobs.Payload):
    """One change of a booking as true at its event (made of scheduling's `BookingChanged`)."""

    booking_id: int
    event: str
    status: str = ""
    previous_status: str | None = None
    # Rows queued by releases before the event said its times and people lack these: the booking's current
    # ones stand in (moments._as_announced).
    start: jobs.Instant | None = None
    end: jobs.Instant | None = None
    appointment_id: int | None = None
    staff_id: int | None = None
    # Only when the writer gave a note.
    reason: str | None = None
    changed_by: str | None = None
    # Only for a change made by a series action: its message is the action's `SeriesEvent`.
    series: SeriesAction | None = None


class SeriesEvent(jobs.Payload):
    """One series action: every booking change it made, for one message per person."""

    series_id: int
    action: str
    events: list[BookingEvent]


class Reminder(jobs.Payload):
    booking_id: int
    workflow_id: int


class Deliver(jobs.Payload):
    delivery_id: int


class MeetingReady(jobs.Payload):
    """Look at the appointment's meeting: waiting messages go, people holding another link get this one."""

    appointment_id: int
