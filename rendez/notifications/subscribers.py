"""What notifications makes of others' announcements: a `notifications.booking_event` job per booking change
and a `notifications.series_event` job per series action (scheduling), a `notifications.meeting_ready` job
when a meeting's link is ready or changed (conferencing).

Subscribed in `NotificationsConfig.ready()`. Builds jobs only (no queries): `jobs.announce` inserts them with
the other subscribers' in one statement, in the writer's transaction.
"""

from __future__ import annotations

from typing import Any

from rendez import jobs
from rendez.conferencing.events import MeetingLinkReady
from rendez.notifications.payloads import (
    BOOKING_EVENT,
    MEETING_READY,
    SERIES_EVENT,
    BookingEvent,
    MeetingReady,
    SeriesAction,
    SeriesEvent,
)
from rendez.scheduling.events import BookingChanged, SeriesChanged


def booking_message(change: BookingChanged) -> list[jobs.NewJob]:
    return [
        jobs.NewJob(
            BOOKING_EVENT,
            booking_event(change),
            key=f"booking:{change.booking_id}",
            tenant_id=change.tenant_id,
        )
    ]


def series_message(action: SeriesChanged) -> list[jobs.NewJob]:
    payload = SeriesEvent(
        series_id=action.series_id,
        action=action.action,
        events=[booking_event(change) for change in action.changes],
    )
    return [jobs.NewJob(SERIES_EVENT, payload, key=f"series:{action.series_id}", tenant_id=action.tenant_id)]


def meeting_ready(event: MeetingLinkReady) -> list[jobs.NewJob]:
    """Coalescing: several announcements before it runs make one look at the meeting."""
    return [
        jobs.NewJob(
            MEETING_READY,
            MeetingReady(appointment_id=event.appointment_id),
            key=f"meeting-ready:{event.appointment_id}",
            coalesce=True,
            tenant_id=event.tenant_id,
        )
    ]


def booking_event(change: BookingChanged) -> BookingEvent:
    # Optional keys are set only when they say something, so rows keep the keys they always had.
    optional: dict[str, Any] = {}
    if change.reason is not None or change.changed_by is not None:
        optional.update(reason=change.reason or "", changed_by=change.changed_by or "")
    if change.series is not None:
        optional["series"] = SeriesAction(id=change.series.id, action=change.series.action)
    return BookingEvent(
        booking_id=change.booking_id,
        event=change.event,
        status=change.status,
        previous_status=change.previous_status,
        start=change.start,
        end=change.end,
        appointment_id=change.appointment_id,
        staff_id=change.staff_id,
        **optional,
    )
