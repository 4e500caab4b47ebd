"""When an appointment's meeting is ready: waiting messages go at once, and the link follows where a message
went without it.

Conferencing enqueues `notifications.meeting_ready` by its kind name when it has made (or adopted, or
re-made) a meeting, in the transaction that records it ready. Conferencing cannot call into notifications
(notifications reads conferencing; the other way round would be a cycle), and the job queue is the outbox
both share, so the kind name is the whole interface: `{appointment_id}`, coalesced per appointment.

The handler
- moves the jobs of deliveries waiting for this appointment's meeting to now, so a confirmation goes out
  seconds after its meeting exists instead of at the next poll;
- keeps "the link a person was last sent is the live one" (DESIGN.md section 5): each customer and the staff
  member giving the appointment whose last message that showed the meeting carried another link (the meeting
  was replaced: new host, gone on Zoom, another Zoom user), or went without it saying it follows
  (`link_follows`), is sent the live link, once per recipient, channel and link, over that channel, with the
  built-in templates ("New video link" when they held another one); the email carries the invitation again
  (same UID, SEQUENCE bumped) with the new link as its LOCATION.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rendez import jobs
from rendez.conferencing.queries import MeetingView, meeting_view
from rendez.notifications.dispatch import DELIVER, create_delivery
from rendez.notifications.models import (
    MEETING_LINK,
    MEETING_LINK_CHANGED,
    Channel,
    Delivery,
    RecipientKind,
)
from rendez.notifications.moments import bump_sequence
from rendez.notifications.payloads import MEETING_READY, MeetingReady
from rendez.notifications.recipients import Recipient, staff_address
from rendez.scheduling.models import Appointment, Booking

# A delivery's note while its job waits for the meeting (what `wake_waiting` looks for).
WAITING_NOTE = "waiting for the video meeting"


def check_again(appointment_id: int) -> None:
    """Queue a look at the appointment's meeting (coalesced: many requests, one run)."""
    jobs.enqueue(
        MEETING_READY,
        MeetingReady(appointment_id=appointment_id),
        key=f"meeting-ready:{appointment_id}",
        coalesce=True,
    )


def handle_meeting_ready(payload: MeetingReady, job: jobs.Job) -> None:
    appointment_id = payload.appointment_id
    appointment = (
        Appointment.objects.select_related("service", "staff", "meeting").filter(pk=appointment_id).first()
    )
    if appointment is None:
        return  # appointments are never deleted but with their tenant, and its deliveries go with it
    wake_waiting(appointment)
    view = meeting_view(appointment)
    if view is None or not view.ready or not view.join_url:
        return
    bookings = Booking.objects.filter(appointment_id=appointment_id, status__in=Booking.SEAT_HOLDING)
    with transaction.atomic():
        for booking in bookings.select_related("tenant", "customer", "appointment__staff"):
            # Per booking: each booking is its own calendar event (invitation UID) for the staff member too,
            # so each one's invitation must get the new link. With per-attendee links the customer's own
            # link is part of what is sent, so a personal link that arrives later is a new source.
            own = meeting_view(appointment, booking)
            links = view.join_url + "|" + ((own.join_url or "") if own is not None else "")
            digest = hashlib.sha256(links.encode()).hexdigest()[:16]
            send_link(booking, view, source=f"meeting-link:{appointment_id}:{digest}:{booking.pk}", own=own)


def wake_waiting(appointment: Appointment) -> int:
    """Move the jobs of deliveries waiting for this appointment's meeting to now; returns how many moved."""
    # The tenant bounds the search to its own pending deliveries (delivery_tenant_state_idx); without it every
    # tenant's were read, a cost growing with the whole installation.
    waiting = Delivery.objects.filter(
        tenant_id=appointment.tenant_id, state=Delivery.State.PENDING, note=WAITING_NOTE
    ).filter(Q(booking__appointment_id=appointment.pk) | Q(snapshot__appointment_id=appointment.pk))
    now = timezone.now()
    return sum(jobs.reschedule(DELIVER, f"delivery:{pk}", now) for pk in waiting.values_list("pk", flat=True))


def send_link(
    booking: Booking, view: MeetingView, *, source: str, own: MeetingView | None = None
) -> list[Delivery]:
    """The live link to each person concerned whose last message about `booking` that showed the meeting
    carried another link or none (the meeting was not there, or video was off then): one delivery per
    recipient and channel. Staff are sent it only when they held another link or were promised one (they
    start meetings from Rendez's start link). Clears the promises it answers. `source` names the link, so a
    rerun makes nothing twice."""
    sent = Delivery.objects.filter(
        booking=booking,
        state=Delivery.State.SENT,
        workflow__isnull=False,
        former_staff=False,
        recipient_kind__in=[RecipientKind.CUSTOMER, RecipientKind.STAFF],
    )
    latest: dict[tuple[str, str], Delivery] = {}
    for earlier in sent.select_related("workflow").order_by("-id"):
        assert earlier.workflow is not None
        if earlier.link_follows or earlier.meeting_link or earlier.workflow.shows_meeting:
            latest.setdefault((earlier.channel, earlier.recipient.lower()), earlier)
    own = own if own is not None else meeting_view(booking.appointment, booking)
    owed = [earlier for earlier in latest.values() if _owed(earlier, booking, view, own)]
    if not owed:
        return []
    if any(d.channel == Channel.EMAIL and d.workflow and d.workflow.attach_invitation for d in owed):
        bump_sequence(booking)  # the invitation's LOCATION changes: calendars must take it as newer
    made = []
    for earlier in owed:
        assert earlier.workflow is not None
        recipient = Recipient(earlier.recipient_kind, earlier.recipient, earlier.recipient_timezone)
        event = MEETING_LINK_CHANGED if earlier.meeting_link else MEETING_LINK
        made.append(create_delivery(earlier.workflow, booking, recipient, event=event, source=source))
    sent.filter(link_follows=True).update(link_follows=False)
    return made


def _owed(delivery: Delivery, booking: Booking, view: MeetingView, own: MeetingView | None) -> bool:
    if delivery.recipient_kind == RecipientKind.CUSTOMER:
        # The customer's own link (per-attendee links): owed once it is there, not the shared one.
        view = own if own is not None else view
        if not view.ready:
            return False
    if delivery.meeting_link == view.join_url or not _concerned(delivery, booking):
        return False
    return (
        delivery.recipient_kind == RecipientKind.CUSTOMER
        or delivery.link_follows
        or bool(delivery.meeting_link)
    )


def _concerned(delivery: Delivery, booking: Booking) -> bool:
    """Still someone the meeting is for: the customer, or the staff member giving the appointment now (one
    it was taken from heard so, and holds no link any more)."""
    if delivery.recipient_kind == RecipientKind.CUSTOMER:
        return True
    current = staff_address(delivery.channel, booking.appointment.staff)
    return bool(current) and current.lower() == delivery.recipient.lower()
