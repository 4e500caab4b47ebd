"""One message per person per series action, listing every occurrence it changed.

Booking a series of 52, or cancelling "this and following", changes many bookings in one action. Each
booking still has its own `notifications.booking_event` (its snapshot, its reminders), but those carry the
action (`payload.series`) and send nothing themselves; the action's one `notifications.series_event`
(enqueued by `scheduling.events.series_action` in the same transaction) records every occurrence's snapshot
(found again by the booking's own event: same source) and makes one delivery per workflow and person, whose
message shows the first occurrence through the workflow's own template and then lists them all, with one
VEVENT per occurrence in one invitation.

A snapshot's source `series:{action}:{booking}` marks it as part of the action; its siblings are the
action's other occurrences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from rendez import jobs
from rendez.notifications.context import meeting_values
from rendez.notifications.localtime import time_label
from rendez.notifications.models import TIMED_TRIGGERS, Delivery, EventSnapshot, Workflow
from rendez.notifications.moments import Moment, moment_of, record_event
from rendez.notifications.payloads import SERIES_EVENT, SeriesEvent
from rendez.notifications.recipients import recipients_for
from rendez.scheduling.models import Booking

PREFIX = "series:"


def occurrence_source(action: str, booking_id: int) -> str:
    return f"{PREFIX}{action}:{booking_id}"


def action_of(snapshot: EventSnapshot | None) -> str | None:
    """The series action a snapshot belongs to, if any."""
    if snapshot is None or not snapshot.source.startswith(PREFIX):
        return None
    return snapshot.source[len(PREFIX) :].split(":", 1)[0]


def handle_series_event(payload: SeriesEvent, job: jobs.Job) -> None:
    from rendez.notifications.dispatch import create_delivery, load_booking, triggers_for

    action = payload.action
    with transaction.atomic():
        recorded = []
        for event in payload.events:
            booking = load_booking(event.booking_id)
            if booking is not None:
                snapshot = record_event(booking, event, occurrence_source(action, booking.pk))
                recorded.append((booking, snapshot, triggers_for(event)))
        if not recorded:
            return
        triggers = set().union(*(fired for _, _, fired in recorded))
        workflows = Workflow.objects.filter(
            tenant_id=recorded[0][0].tenant_id, is_active=True, trigger__in=triggers
        ).exclude(trigger__in=TIMED_TRIGGERS)
        for workflow in workflows:
            for booking, snapshot, fired in recorded:
                if workflow.trigger not in fired:
                    continue
                # One delivery per workflow and person for the whole action: the source names the action,
                # so a person concerned by several occurrences gets the first one's delivery only.
                for recipient in recipients_for(workflow, booking, snapshot):
                    create_delivery(
                        workflow,
                        booking,
                        recipient,
                        event=workflow.trigger,
                        source=f"{PREFIX}{action}",
                        snapshot=snapshot,
                    )


@dataclass(frozen=True)
class Occurrence:
    booking: Booking
    moment: Moment


def occurrences_of(delivery: Delivery) -> list[Occurrence]:
    """Every occurrence of the delivery's series action, soonest first; [] for a message about one booking."""
    action = action_of(delivery.snapshot)
    if action is None:
        return []
    snapshots = (
        EventSnapshot.objects.filter(source__startswith=f"{PREFIX}{action}:")
        .select_related("booking__appointment__service", "booking__appointment__staff", "booking__customer")
        .select_related("booking__tenant", "staff")
        .order_by("start", "pk")
    )
    return [Occurrence(snapshot.booking, moment_of(snapshot, snapshot.booking)) for snapshot in snapshots]


def listing(occurrences: list[Occurrence], zone: ZoneInfo, *, show_links: bool) -> str:
    """The dates of the action, one a line, in the recipient's zone, each with its status and (when the
    message may show it and it is ready) its own video link."""
    lines = [f"This message is about {len(occurrences)} dates of the series:"]
    for item in occurrences:
        start, end = item.moment.start.astimezone(zone), item.moment.end.astimezone(zone)
        line = f"- {start:%A, %d %B %Y}, {time_label(start)}–{time_label(end)} ({item.moment.status_label})"
        if show_links and item.moment.holds_seats:
            meeting = meeting_values(item.moment.appointment)
            if meeting.ready:
                line += f"\n  Join: {meeting.join_url}" + (
                    f" (password {meeting.password})" if meeting.password else ""
                )
        lines.append(line)
    return "\n".join(lines)


def webhook_part(occurrences: list[Occurrence]) -> dict[str, Any]:
    """A webhook about a series action also lists every occurrence it changed (the `booking` is the first)."""
    if not occurrences:
        return {}
    first = occurrences[0].booking
    return {
        "series": {
            "id": first.series_id,
            "occurrences": [
                {
                    "booking_id": item.booking.pk,
                    "status": item.moment.status,
                    "start": item.moment.start.isoformat(),
                    "end": item.moment.end.isoformat(),
                }
                for item in occurrences
            ],
        }
    }


def subject_suffix(occurrences: list[Occurrence]) -> str:
    more = len(occurrences) - 1
    if more <= 0:
        return ""
    return f" (and {more} more date{'s' if more != 1 else ''})"


__all__ = ["SERIES_EVENT", "Booking", "handle_series_event", "listing", "occurrences_of"]
