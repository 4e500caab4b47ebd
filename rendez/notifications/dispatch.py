"""From a booking event to deliveries and reminders.

`handle_booking_event` runs as the `notifications.booking_event` job that scheduling enqueues in the booking's
transaction. It first records what was true at the event (`moments.record_event`: times, staff, status,
invitation SEQUENCE), and every delivery it makes points to that record, so each message shows its own event
however the booking changed since. It is safe to run twice: the record and the deliveries are found by the
event's job before being made, reminders are moved rather than added.

Which workflows an event fires:
- its own trigger (`booking_rescheduled`, `booking_cancelled`, ...);
- `booking_confirmed` also when a booking is created confirmed (services that confirm at once), so
  "confirmation" workflows work the same with and without approval;
- `booking_status_changed` for every status change, confirmations and cancellations included.

Reminders (`before_start`, `after_end`) are jobs keyed `reminder:{booking}:{workflow}`, kept level-triggered:
after every event each timed workflow's reminder is put at its time for the appointment as it is now, or
dropped when the booking no longer qualifies (cancelled, rejected) or its time has passed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from rendez import jobs
from rendez.notifications import conf
from rendez.notifications.models import TIMED_TRIGGERS, Delivery, EventSnapshot, Trigger, Workflow
from rendez.notifications.moments import record_event
from rendez.notifications.payloads import DELIVER, REMINDER, BookingEvent, Deliver, Reminder
from rendez.notifications.recipients import Recipient, recipients_for
from rendez.scheduling.models import Booking

Status = Booking.Status
# Bookings a reminder before the start is for: those still holding their seats.
BEFORE_START_STATUSES = Booking.SEAT_HOLDING
# A follow-up after the end goes to people who (presumably) attended.
AFTER_END_STATUSES = frozenset({Status.CONFIRMED, Status.COMPLETED})


def load_booking(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related(
            "tenant", "customer", "appointment__service", "appointment__staff", "appointment__tenant"
        )
        .filter(pk=booking_id)
        .first()
    )


def triggers_for(payload: BookingEvent) -> set[str]:
    event = payload.event
    triggers = {event}
    if event == Trigger.BOOKING_CREATED and payload.status == Status.CONFIRMED:
        triggers.add(Trigger.BOOKING_CONFIRMED)
    if payload.previous_status:
        triggers.add(Trigger.BOOKING_STATUS_CHANGED)
    return triggers


def handle_booking_event(payload: BookingEvent, job: jobs.Job) -> None:
    booking = load_booking(payload.booking_id)
    if booking is None:
        return
    if payload.series is not None:
        _record_series_occurrence(booking, payload, payload.series.action)
        return
    source = f"event:{job.pk}"
    with transaction.atomic():
        snapshot = record_event(booking, payload, source)
        workflows = Workflow.objects.filter(
            tenant_id=booking.tenant_id, is_active=True, trigger__in=triggers_for(payload)
        ).exclude(trigger__in=TIMED_TRIGGERS)
        for workflow in workflows:
            for recipient in recipients_for(workflow, booking, snapshot):
                create_delivery(
                    workflow, booking, recipient, event=workflow.trigger, source=source, snapshot=snapshot
                )
        sync_reminders(booking)


def _record_series_occurrence(booking: Booking, payload: BookingEvent, action: str) -> None:
    """An occurrence changed by a series action: its record and reminders here; its message is the action's
    one message (`notifications.series`), which records the same snapshot if it runs first."""
    from rendez.notifications.series import occurrence_source

    with transaction.atomic():
        record_event(booking, payload, occurrence_source(action, booking.pk))
        sync_reminders(booking)


def create_delivery(
    workflow: Workflow,
    booking: Booking,
    recipient: Recipient,
    *,
    event: str,
    source: str,
    snapshot: EventSnapshot | None = None,
) -> Delivery:
    """The delivery of `workflow` to `recipient` for `source` (an event job, a reminder, a link follow-up);
    made and queued once. With `snapshot` it shows the booking as of that event, else as it is when sent."""
    dedupe_key = _dedupe_key(source, workflow, recipient)
    delivery, created = Delivery.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "tenant_id": booking.tenant_id,
            "workflow": workflow,
            "booking": booking,
            "event": event,
            "snapshot": snapshot,
            "former_staff": recipient.former_staff,
            "channel": workflow.channel,
            "recipient_kind": recipient.kind,
            "recipient": recipient.address,
            "recipient_timezone": recipient.timezone,
        },
    )
    if not created:
        return delivery
    if not recipient.address:
        delivery.state = Delivery.State.SKIPPED
        delivery.note = f"no {workflow.get_channel_display()} address for this {recipient.kind}"
        delivery.save(update_fields=["state", "note", "updated_at"])
        return delivery
    delivery.job = jobs.enqueue(
        DELIVER,
        Deliver(delivery_id=delivery.pk),
        key=f"delivery:{delivery.pk}",
        max_attempts=conf.max_attempts(),
        tenant_id=delivery.tenant_id,
    )
    delivery.save(update_fields=["job", "updated_at"])
    return delivery


def _dedupe_key(source: str, workflow: Workflow, recipient: Recipient) -> str:
    who = hashlib.sha256(f"{recipient.kind}:{recipient.address.lower()}".encode()).hexdigest()[:24]
    return f"{source}:w{workflow.pk}:{who}"


# --- reminders ----------------------------------------------------------------------------------------------


def reminder_key(booking_id: int, workflow_id: int) -> str:
    return f"reminder:{booking_id}:{workflow_id}"


def reminder_time(workflow: Workflow, booking: Booking) -> datetime:
    appointment = booking.appointment
    if workflow.trigger == Trigger.BEFORE_START:
        return appointment.start - workflow.offset
    return appointment.end + workflow.offset


def reminder_due_for(workflow: Workflow, booking: Booking) -> bool:
    """Whether this booking should get this timed workflow's message (ignoring when)."""
    if not workflow.is_active:
        return False
    if workflow.trigger == Trigger.BEFORE_START:
        return booking.status in BEFORE_START_STATUSES
    return booking.status in AFTER_END_STATUSES


def sync_reminders(booking: Booking, now: datetime | None = None) -> None:
    """Put each timed workflow's reminder for this booking where it belongs now, or drop it."""
    now = now or timezone.now()
    for workflow in Workflow.objects.filter(tenant_id=booking.tenant_id, trigger__in=TIMED_TRIGGERS):
        key = reminder_key(booking.pk, workflow.pk)
        when = reminder_time(workflow, booking)
        if not reminder_due_for(workflow, booking) or when <= now:
            # A reminder whose moment has passed is not sent late ("in 24 hours" an hour before is wrong).
            jobs.cancel(REMINDER, key)
            continue
        if not jobs.reschedule(REMINDER, key, when):
            jobs.enqueue(
                REMINDER,
                Reminder(booking_id=booking.pk, workflow_id=workflow.pk),
                key=key,
                run_after=when,
                tenant_id=booking.tenant_id,
            )


def handle_reminder(payload: Reminder, job: jobs.Job) -> None:
    booking = load_booking(payload.booking_id)
    workflow = Workflow.objects.filter(pk=payload.workflow_id).first()
    if booking is None or workflow is None or not reminder_due_for(workflow, booking):
        return
    if workflow.trigger == Trigger.BEFORE_START and booking.appointment.start <= timezone.now():
        return  # the worker was away past the start: a "before" message would arrive after the fact
    source = f"reminder:{booking.pk}:{booking.appointment.start.isoformat()}"
    with transaction.atomic():
        for recipient in recipients_for(workflow, booking):
            create_delivery(workflow, booking, recipient, event=workflow.trigger, source=source)
