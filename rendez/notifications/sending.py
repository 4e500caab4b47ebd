"""Sending one delivery: wait for the meeting if the message shows it, render, hand to the channel, record.

Runs as the `notifications.deliver` job. A message about an event shows the booking as of that event (its
`EventSnapshot`: times, staff, status, invitation SEQUENCE), however the booking changed before it went out;
reminders and link follow-ups show it as it is when they go. The meeting (link, password) is always the
meeting as it is at send time: a link is the newest one whatever the message.

Meeting wait. A message that shows the meeting (a meeting shortcode, or an email with the invitation, whose
LOCATION is the join link) for a service with video meetings (`conferencing.choice.makes_meetings`), about a
booking holding seats at its moment, waits while a link may still come without anyone acting;
`conferencing.queries.meeting_coming` says when (a meeting being made, or a sync queued), so this module asks
conferencing instead of reading its tables or the job queue. It polls with `jobs.Retry` (not spending
attempts) every NOTIFICATIONS_MEETING_POLL_SECONDS, for at most NOTIFICATIONS_MEETING_WAIT_SECONDS from the
delivery's creation; and it does not wait for the poll once the meeting is made: conferencing enqueues
`notifications.meeting_ready`, which moves waiting deliveries of the appointment to now (`followups`). Then it
goes out regardless: without the link when the meeting failed, was deleted or is still not ready; lines whose
only content would be the missing link or password are left out, and the delivery's `note` says why. A
customer's message whose booking still holds seats then says that the link follows, where the link would have
been, and `link_follows` marks it for the follow-up. Conferencing tells staff and admins about failed meetings
itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from rendez import jobs
from rendez.conferencing.choice import makes_meetings
from rendez.conferencing.queries import meeting_coming, meeting_view
from rendez.notifications import conf, followups
from rendez.notifications.channels import ChannelError, transport_for
from rendez.notifications.channels.base import vendor_settings
from rendez.notifications.compose import compose
from rendez.notifications.context import attendee
from rendez.notifications.models import FOLLOW_UPS, Delivery, RecipientKind, Workflow
from rendez.notifications.moments import Moment, moment_now, moment_of
from rendez.notifications.payloads import Deliver
from rendez.scheduling.models import Booking


@dataclass(frozen=True)
class MeetingWait:
    """How a message goes out as far as the meeting is concerned."""

    note: str = ""
    # Without the link, promising it: the follow-up is owed.
    link_follows: bool = False


NO_WAIT = MeetingWait()


def handle_deliver(payload: Deliver, job: jobs.Job) -> None:
    delivery = (
        Delivery.objects.select_related("workflow", "snapshot__staff", "snapshot__previous_staff")
        .filter(pk=payload.delivery_id)
        .first()
    )
    if delivery is None or delivery.state in (Delivery.State.SENT, Delivery.State.SKIPPED):
        return  # already done (a repeated run). A failed one runs again only when its dead job is re-run.
    workflow = delivery.workflow
    if workflow is None:
        _finish(delivery, Delivery.State.SKIPPED, note="its workflow was deleted before it could be sent")
        return
    from rendez.notifications.dispatch import load_booking

    booking = load_booking(delivery.booking_id)
    assert booking is not None  # a booking's deliveries are deleted with it
    moment = moment_for(delivery, booking)
    delivery.attempts = job.attempts
    try:
        wait = wait_for_meeting(delivery, workflow, booking, moment)
        delivery.note = wait.note
        if delivery.event in FOLLOW_UPS and wait.note:
            _finish(delivery, Delivery.State.SKIPPED, note=f"no link to send ({wait.note})")
            return
        carried = link_carried(delivery, workflow, moment, wait, booking)
        message = compose(delivery, workflow, booking, moment, link_follows=wait.link_follows)
        delivery.subject, delivery.body = message.subject, message.text
        external_id = transport_for(delivery.channel).send(
            message, vendor_settings(delivery.tenant_id, delivery.channel)
        )
    except jobs.Retry:
        delivery.note = followups.WAITING_NOTE
        delivery.save(update_fields=["attempts", "note", "updated_at"])
        raise
    except ChannelError as exc:
        _failed_attempt(delivery, job, str(exc), permanent=exc.permanent)
        if exc.permanent:
            raise jobs.PermanentError(str(exc)) from exc
        raise jobs.Retry(after=exc.retry_after, reason=str(exc)) from exc
    except Exception as exc:
        _failed_attempt(delivery, job, repr(exc), permanent=False)
        raise
    delivery.external_id = external_id[:200]
    delivery.last_error = ""
    delivery.link_follows = wait.link_follows
    delivery.meeting_link = carried
    _finish(delivery, Delivery.State.SENT, note=delivery.note, sent_at=timezone.now())
    if wait.link_follows or (
        carried and carried != _live_link(moment, attendee(booking, delivery.recipient_kind))
    ):
        # The meeting may have become ready, or been replaced, while this was sent: its `meeting_ready` found
        # nothing owed to this message. Looking again sends the live link if this one is not it.
        followups.check_again(moment.appointment.pk)


def link_carried(
    delivery: Delivery, workflow: Workflow, moment: Moment, wait: MeetingWait, booking: Booking
) -> str:
    """The join link this message shows (text or invitation), as `compose` renders it: the live meeting's
    (the customer's own, with per-attendee links), when the message shows the meeting at all."""
    if wait.note or delivery.former_staff or not moment.holds_seats:
        return ""
    if not (shows_meeting(workflow) or delivery.event in FOLLOW_UPS):
        return ""
    return _live_link(moment, attendee(booking, delivery.recipient_kind))


def _live_link(moment: Moment, for_booking: Booking | None) -> str:
    view = meeting_view(moment.appointment, for_booking)
    return (view.join_url or "") if view is not None and view.ready else ""


def moment_for(delivery: Delivery, booking: Booking) -> Moment:
    if delivery.snapshot is not None:
        return moment_of(delivery.snapshot, booking)
    return moment_now(booking)


def _failed_attempt(delivery: Delivery, job: jobs.Job, error: str, *, permanent: bool) -> None:
    delivery.last_error = error[:4000]
    # On the job's last attempt the worker dead-letters it; the delivery says so too.
    final = permanent or job.attempts >= job.max_attempts
    delivery.state = Delivery.State.FAILED if final else Delivery.State.PENDING
    delivery.save(update_fields=["attempts", "last_error", "state", "subject", "body", "note", "updated_at"])


def _finish(delivery: Delivery, state: str, *, note: str = "", **fields: Any) -> None:
    delivery.state = state
    delivery.note = note[:300]
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.save()


def shows_meeting(workflow: Workflow) -> bool:
    return workflow.shows_meeting


def wait_for_meeting(delivery: Delivery, workflow: Workflow, booking: Booking, moment: Moment) -> MeetingWait:
    """Return at once when no wait is needed (with a note when going out without a link), or raise
    jobs.Retry."""
    appointment = moment.appointment
    shows = shows_meeting(workflow) or delivery.event in FOLLOW_UPS
    if not shows or not makes_meetings(appointment.service):
        return NO_WAIT
    if not moment.holds_seats or delivery.former_staff:
        return NO_WAIT  # a cancellation shows no link
    own = attendee(booking, delivery.recipient_kind)
    view = meeting_view(appointment, own)
    if view is not None and view.ready:
        return NO_WAIT
    if view is not None and view.settled_without_link:
        follows = _promises_link(delivery, booking, settled=True)
        return MeetingWait(f"meeting {view.state}: sent without a meeting link", follows)
    follows = _promises_link(delivery, booking, settled=False)
    if not meeting_coming(appointment, own):
        return NO_WAIT
    bound = conf.meeting_wait_seconds()
    waited = (timezone.now() - delivery.created_at).total_seconds()
    if waited < bound:
        after = max(1.0, min(conf.meeting_poll_seconds(), bound - waited))
        raise jobs.Retry(after=after, reason="waiting for the meeting to be ready", consume_attempt=False)
    return MeetingWait(f"meeting not ready after {bound:g}s: sent without a meeting link", follows)


def _promises_link(delivery: Delivery, booking: Booking, *, settled: bool) -> bool:
    """Customers are told the link follows (and get it) while their booking holds seats. So is the staff
    member giving the appointment while the meeting is on its way (being made or replaced); about one that
    failed, staff and admins hear from conferencing, with what to do."""
    kinds = (RecipientKind.CUSTOMER,) if settled else (RecipientKind.CUSTOMER, RecipientKind.STAFF)
    return (
        delivery.recipient_kind in kinds
        and not delivery.former_staff
        and delivery.event not in FOLLOW_UPS
        and booking.holds_seats
    )
