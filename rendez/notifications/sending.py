"""Sending one delivery: wait for the meeting if the message shows it, render, hand to the channel, record.

Runs as the `notifications.deliver` job. Content is rendered at send time, so a message always shows the
booking as it is then (a late confirmation carries the new time and the current meeting link).

Meeting wait. A message that shows the meeting (a meeting shortcode, or an email with the invitation, whose
LOCATION is the join link) for a `zoom_enabled` service waits while a link may still come without anyone
acting; `conferencing.queries.meeting_coming` says when (a meeting being made, or a sync queued), so this
module asks conferencing instead of reading its tables or the job queue. It polls with `jobs.Retry` (not
spending attempts) for at most NOTIFICATIONS_MEETING_WAIT_SECONDS from the delivery's creation. Then it goes
out regardless: without the link when the meeting failed, was deleted or is still not ready; lines whose only
content would be the missing link or password are left out, and the delivery's `note` says why. Conferencing
tells staff and admins about failed meetings itself.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from rendez import jobs
from rendez.conferencing.queries import meeting_coming, meeting_view
from rendez.lib import shortcodes
from rendez.notifications import conf, ics
from rendez.notifications.channels import ChannelError, OutgoingMessage, transport_for
from rendez.notifications.channels.base import vendor_settings
from rendez.notifications.context import shortcode_values
from rendez.notifications.models import Channel, Delivery, Workflow
from rendez.scheduling.models import Appointment, Booking


def handle_deliver(payload: dict[str, Any], job: jobs.Job) -> None:
    delivery = Delivery.objects.select_related("workflow").filter(pk=payload["delivery_id"]).first()
    if delivery is None or delivery.state in (Delivery.State.SENT, Delivery.State.SKIPPED):
        return  # already done (a repeated run). A failed one runs again only when its dead job is re-run.
    workflow = delivery.workflow
    if workflow is None:
        _finish(delivery, Delivery.State.SKIPPED, note="its workflow was deleted before it could be sent")
        return
    from rendez.notifications.dispatch import load_booking

    booking = load_booking(delivery.booking_id)
    assert booking is not None  # a booking's deliveries are deleted with it
    delivery.attempts = job.attempts
    try:
        delivery.note = wait_for_meeting(delivery, workflow, booking.appointment)
        message = compose(delivery, workflow, booking)
        delivery.subject, delivery.body = message.subject, message.text
        external_id = transport_for(delivery.channel).send(
            message, vendor_settings(delivery.tenant_id, delivery.channel)
        )
    except jobs.Retry:
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
    _finish(delivery, Delivery.State.SENT, note=delivery.note, sent_at=timezone.now())


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
    if shortcodes.uses_any(workflow.templates, shortcodes.MEETING_SHORTCODES):
        return True
    return workflow.channel == Channel.EMAIL and workflow.attach_invitation


def wait_for_meeting(delivery: Delivery, workflow: Workflow, appointment: Appointment) -> str:
    """Return at once when no wait is needed (with a note when going out without a link), or raise
    jobs.Retry."""
    if not shows_meeting(workflow) or not appointment.service.zoom_enabled:
        return ""
    view = meeting_view(appointment)
    if view is not None and view.settled_without_link:
        return f"meeting {view.state}: sent without a meeting link"
    if not meeting_coming(appointment):
        return ""
    bound = conf.meeting_wait_seconds()
    waited = (timezone.now() - delivery.created_at).total_seconds()
    if waited < bound:
        after = max(1.0, min(conf.meeting_poll_seconds(), bound - waited))
        raise jobs.Retry(after=after, reason="waiting for the meeting to be ready", consume_attempt=False)
    return f"meeting not ready after {bound:g}s: sent without a meeting link"


def compose(delivery: Delivery, workflow: Workflow, booking: Booking) -> OutgoingMessage:
    zone = ZoneInfo(delivery.recipient_timezone)
    values = shortcode_values(booking, delivery.recipient_kind, zone)
    optional = shortcodes.MEETING_SHORTCODES
    subject = shortcodes.render(workflow.subject_template, values, drop_empty_lines_of=optional)
    text = shortcodes.render(workflow.body_template, values, drop_empty_lines_of=optional)
    invitation, method = None, "REQUEST"
    if delivery.channel == Channel.EMAIL and workflow.attach_invitation:
        invitation, method = ics.build_invitation(booking, zone)
    return OutgoingMessage(
        channel=delivery.channel,
        recipient=delivery.recipient,
        subject=" ".join(subject.split()),
        text=text,
        tenant_name=booking.tenant.name,
        invitation=invitation,
        invitation_method=method,
        data=_webhook_data(delivery, workflow, booking, values)
        if delivery.channel == Channel.WEBHOOK
        else {},
    )


def _webhook_data(
    delivery: Delivery, workflow: Workflow, booking: Booking, values: dict[str, str]
) -> dict[str, Any]:
    appointment = booking.appointment
    return {
        "event": delivery.event,
        "delivery_id": delivery.pk,
        "workflow": {"id": workflow.pk, "name": workflow.name},
        "booking": {
            "id": booking.pk,
            "status": booking.status,
            "party_size": booking.party_size,
            "customer": {"name": booking.customer.name, "email": booking.customer.email},
            "appointment": {
                "id": appointment.pk,
                "start": appointment.start.isoformat(),
                "end": appointment.end.isoformat(),
                "service": {"id": appointment.service_id, "name": appointment.service.name},
                "staff": {"id": appointment.staff_id, "name": appointment.staff.name},
            },
            "manage_url": values["booking_manage_url"],
            "meeting": {"join_url": values["zoom_meeting_url"], "password": values["zoom_meeting_password"]},
        },
    }
