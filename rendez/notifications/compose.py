"""Rendering one delivery: subject, text, invitation and webhook data, for the booking at the delivery's
moment (its event's, or now) as its recipient should see it.

A message that goes out without the meeting link it would have shown, while a link is still owed, says so
where the link would have been ("Your video link will follow in a separate message."), and the link follows
in a message of its own (`followups`). The follow-up has built-in templates (`defaults.MEETING_LINK_*`) and
goes over the channel of the message it completes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from rendez.lib import shortcodes
from rendez.notifications import defaults, ics, series
from rendez.notifications.channels import OutgoingMessage
from rendez.notifications.context import shortcode_values
from rendez.notifications.models import (
    FOLLOW_UPS,
    MEETING_LINK,
    MEETING_LINK_CHANGED,
    Channel,
    Delivery,
    RecipientKind,
    Workflow,
)
from rendez.notifications.moments import Moment
from rendez.scheduling.models import Booking

LINK_FOLLOWS_LINE = "Your video link will follow in a separate message."


def compose(
    delivery: Delivery, workflow: Workflow, booking: Booking, moment: Moment, *, link_follows: bool = False
) -> OutgoingMessage:
    zone = ZoneInfo(delivery.recipient_timezone)
    values = shortcode_values(booking, delivery.recipient_kind, zone, moment)
    if delivery.former_staff:
        # Not theirs any more: no way into the meeting.
        values.update(dict.fromkeys(shortcodes.MEETING_SHORTCODES, ""))
    subject_template, body_template = templates_of(delivery, workflow)
    if link_follows:
        body_template = promise_link(body_template)
    optional = shortcodes.OPTIONAL_SHORTCODES | shortcodes.CHANGE_SHORTCODES
    subject = shortcodes.render(subject_template, values, drop_empty_lines_of=optional)
    text = shortcodes.render(body_template, values, drop_empty_lines_of=optional)
    # A series action (notifications/series.py): one message listing every occurrence it changed.
    occurrences = series.occurrences_of(delivery) if delivery.event not in FOLLOW_UPS else []
    if occurrences:
        subject += series.subject_suffix(occurrences)
        shows_links = not delivery.former_staff and bool(shortcodes.used(body_template) & optional)
        text = text.rstrip("\n") + "\n\n" + series.listing(occurrences, zone, show_links=shows_links) + "\n"
    invitation, method = None, "REQUEST"
    if delivery.channel == Channel.EMAIL and workflow.attach_invitation and occurrences:
        invitation, method = ics.build_series_invitation(
            [(item.booking, item.moment) for item in occurrences],
            zone,
            audience=delivery.recipient_kind,
            withdrawn=delivery.former_staff,
        )
    elif delivery.channel == Channel.EMAIL and workflow.attach_invitation:
        invitation, method = ics.build_invitation(
            booking,
            zone,
            moment=_invitation_moment(delivery, moment),
            audience=delivery.recipient_kind,
            withdrawn=delivery.former_staff,
        )
    return OutgoingMessage(
        channel=delivery.channel,
        recipient=delivery.recipient,
        subject=" ".join(subject.split()),
        text=text,
        tenant_name=booking.tenant.name,
        sender_name=booking.tenant.sender,
        reply_to=booking.tenant.reply_to_email,
        invitation=invitation,
        invitation_method=method,
        message_id=delivery.message_id,
        data=webhook_data(delivery, workflow, booking, moment, values) | series.webhook_part(occurrences)
        if delivery.channel == Channel.WEBHOOK
        else {},
    )


def templates_of(delivery: Delivery, workflow: Workflow) -> tuple[str, str]:
    staff = delivery.recipient_kind == RecipientKind.STAFF
    if delivery.event == MEETING_LINK:
        body = defaults.STAFF_MEETING_LINK_BODY if staff else defaults.MEETING_LINK_BODY
        return defaults.MEETING_LINK_SUBJECT, body
    if delivery.event == MEETING_LINK_CHANGED:
        body = defaults.STAFF_MEETING_LINK_CHANGED_BODY if staff else defaults.MEETING_LINK_CHANGED_BODY
        return defaults.MEETING_LINK_CHANGED_SUBJECT, body
    return workflow.subject_template, workflow.body_template


def promise_link(template: str) -> str:
    """`template` with its first line that shows the meeting saying that the link follows instead (the other
    meeting lines are left out as empty when rendered)."""
    lines = template.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if shortcodes.used(line) & shortcodes.MEETING_SHORTCODES:
            lines[number] = LINK_FOLLOWS_LINE + ("\n" if line.endswith("\n") else "")
            break
    return "".join(lines)


def _invitation_moment(delivery: Delivery, moment: Moment) -> Moment:
    """A former staff member's invitation withdraws the slot they had, not the new one."""
    snapshot = delivery.snapshot
    if not delivery.former_staff or snapshot is None or snapshot.previous_start is None:
        return moment
    return replace(moment, start=snapshot.previous_start, end=snapshot.previous_end or moment.end)


def webhook_data(
    delivery: Delivery, workflow: Workflow, booking: Booking, moment: Moment, values: dict[str, str]
) -> dict[str, Any]:
    appointment = moment.appointment
    return {
        "event": delivery.event,
        "delivery_id": delivery.pk,
        "workflow": {"id": workflow.pk, "name": workflow.name},
        "booking": {
            "id": booking.pk,
            "status": moment.status,
            "party_size": booking.party_size,
            "customer": {"name": booking.customer.name, "email": booking.customer.email},
            "appointment": {
                "id": appointment.pk,
                "start": moment.start.isoformat(),
                "end": moment.end.isoformat(),
                "service": {"id": appointment.service_id, "name": appointment.service.name},
                "staff": {"id": moment.staff_id, "name": moment.staff_name},
            },
            "manage_url": values["booking_manage_url"],
            "change": {"reason": values["change_reason"], "by": values["changed_by"]},
            "meeting": {"join_url": values["meeting_url"], "password": values["meeting_password"]},
        },
    }
