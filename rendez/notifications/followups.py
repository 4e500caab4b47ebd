"""When an appointment's meeting is ready: waiting messages go at once, and the link follows where a message
went without it.

Conferencing enqueues `notifications.meeting_ready` by its kind name when it has made (or adopted, or
re-made) a meeting, in the transaction that records it ready. Conferencing cannot call into notifications
(notifications reads conferencing; the other way round would be a cycle), and the job queue is the outbox
both share, so the kind name is the whole interface: `{appointment_id}`, coalesced per appointment.

The handler
- moves the jobs of deliveries waiting for this appointment's meeting to now, so a confirmation goes out
  seconds after its meeting exists instead of at the next poll;
- sends the link to each customer whose message went out without it saying it follows (`link_follows`), once
  per recipient and channel, over that channel, with the built-in follow-up templates; the email carries the
  invitation again (SEQUENCE bumped) with the link as its LOCATION.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rendez import jobs
from rendez.conferencing.queries import meeting_view
from rendez.notifications.dispatch import DELIVER, create_delivery
from rendez.notifications.models import MEETING_LINK, Channel, Delivery
from rendez.notifications.moments import bump_sequence
from rendez.notifications.recipients import Recipient
from rendez.scheduling.models import Appointment, Booking

MEETING_READY = "notifications.meeting_ready"
# A delivery's note while its job waits for the meeting (what `wake_waiting` looks for).
WAITING_NOTE = "waiting for the video meeting"


def check_again(appointment_id: int) -> None:
    """Queue a look at the appointment's meeting (coalesced: many requests, one run)."""
    jobs.enqueue(
        MEETING_READY,
        {"appointment_id": appointment_id},
        key=f"meeting-ready:{appointment_id}",
        coalesce=True,
    )


def handle_meeting_ready(payload: dict[str, Any], job: jobs.Job) -> None:
    appointment_id = int(payload["appointment_id"])
    appointment = (
        Appointment.objects.select_related("service", "staff", "meeting").filter(pk=appointment_id).first()
    )
    if appointment is None:
        return  # appointments are never deleted but with their tenant, and its deliveries go with it
    wake_waiting(appointment)
    view = meeting_view(appointment)
    if view is None or not view.ready:
        return
    bookings = Booking.objects.filter(appointment_id=appointment_id, status__in=Booking.SEAT_HOLDING)
    with transaction.atomic():
        for booking in bookings.select_related("tenant", "customer"):
            send_link(booking, source=f"meeting-link:{appointment_id}:{view.meeting_id or ''}")


def wake_waiting(appointment: Appointment) -> int:
    """Move the jobs of deliveries waiting for this appointment's meeting to now; returns how many moved."""
    # The tenant bounds the search to its own pending deliveries (delivery_tenant_state_idx); without it every
    # tenant's were read, a cost growing with the whole installation.
    waiting = Delivery.objects.filter(
        tenant_id=appointment.tenant_id, state=Delivery.State.PENDING, note=WAITING_NOTE
    ).filter(Q(booking__appointment_id=appointment.pk) | Q(snapshot__appointment_id=appointment.pk))
    now = timezone.now()
    return sum(jobs.reschedule(DELIVER, f"delivery:{pk}", now) for pk in waiting.values_list("pk", flat=True))


def send_link(booking: Booking, *, source: str) -> list[Delivery]:
    """One link follow-up per recipient and channel that got a message without the link; clears what it
    answers. `source` names the meeting, so a rerun makes nothing twice."""
    owed = Delivery.objects.filter(
        booking=booking, link_follows=True, state=Delivery.State.SENT, workflow__isnull=False
    ).select_related("workflow")
    latest: dict[tuple[str, str], Delivery] = {}
    for earlier in owed.order_by("-id"):
        latest.setdefault((earlier.channel, earlier.recipient.lower()), earlier)
    if not latest:
        return []
    if any(
        d.channel == Channel.EMAIL and d.workflow and d.workflow.attach_invitation for d in latest.values()
    ):
        bump_sequence(booking)  # the invitation gains its LOCATION: calendars must take it as newer
    made = []
    for earlier in latest.values():
        assert earlier.workflow is not None
        recipient = Recipient(earlier.recipient_kind, earlier.recipient, earlier.recipient_timezone)
        made.append(create_delivery(earlier.workflow, booking, recipient, event=MEETING_LINK, source=source))
    owed.update(link_follows=False)
    return made
