"""The workflows a new tenant starts with: confirmation, reschedule, cancellation, reminders 24 h and 1 h
before, and for the staff member a heads-up with the link that starts the meeting and word of every move,
reassignment and cancellation. Also the built-in video link follow-up (not a workflow: it completes a
message that went out without the link, over that message's channel)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from rendez.notifications.models import Channel, Trigger, Workflow
from rendez.tenants.models import Tenant

_WHEN = "{appointment_date}, {appointment_start_time}–{appointment_end_time} ({appointment_timezone})"
_MEETING = "Join the video meeting: {meeting_url}\nMeeting password: {meeting_password}\n"
_MANAGE = "Need to change something? {booking_manage_url}\n"
_SIGNATURE = "\n{tenant_name}\n{tenant_address}\n"
# For staff: who made a change and why, as said in the confirm step (lines without a value are left out).
_CHANGE = "Changed by {changed_by}.\nReason given: {change_reason}\n"

MEETING_LINK_SUBJECT = "Video link: {service_name} on {appointment_date}"
MEETING_LINK_BODY = (
    "Hello {customer_name},\n\nhere is the video link for your {service_name} with {staff_name} on "
    + _WHEN
    + ".\n\n"
    + _MEETING
    + "\n"
    + _MANAGE
    + _SIGNATURE
)

# The meeting people hold was replaced (another host, gone on Zoom): the new link, saying the old one is dead.
MEETING_LINK_CHANGED_SUBJECT = "New video link: {service_name} on {appointment_date}"
MEETING_LINK_CHANGED_BODY = (
    "Hello {customer_name},\n\nthe video meeting for your {service_name} with {staff_name} on "
    + _WHEN
    + " has a new link. The link and password sent before no longer work; please use these:\n\n"
    + _MEETING
    + "\n"
    + _MANAGE
    + _SIGNATURE
)
# The same two for the staff member giving the appointment.
STAFF_MEETING_LINK_BODY = (
    "The video link for {service_name} with {customer_name} on " + _WHEN + ":\n\n" + _MEETING
)
STAFF_MEETING_LINK_CHANGED_BODY = (
    "The video meeting for {service_name} with {customer_name} on "
    + _WHEN
    + " has a new link; the one sent before no longer works.\n\n"
    + _MEETING
)


@dataclass(frozen=True)
class BuiltInFollowUp:
    """A message Rendez sends by itself, not a workflow: listed on the workflows page so a business knows."""

    name: str
    subject: str
    when: str


BUILT_IN_FOLLOWUPS = [
    BuiltInFollowUp(
        "Video link ready",
        MEETING_LINK_SUBJECT,
        "A message went out before the video meeting existed: the link follows once it does, to the customer "
        "and to the staff member promised it, over that message's channel.",
    ),
    BuiltInFollowUp(
        "Video link changed",
        MEETING_LINK_CHANGED_SUBJECT,
        "The meeting people hold was replaced (another host, or deleted on Zoom): everyone who held the old "
        "link gets the new one, with an updated calendar invitation.",
    ),
]


@dataclass(frozen=True)
class DefaultWorkflow:
    key: str
    name: str
    trigger: str
    subject: str
    body: str
    offset_minutes: int = 0
    to_customer: bool = True
    to_staff: bool = False


DEFAULTS = [
    DefaultWorkflow(
        "confirmation",
        "Booking confirmation",
        Trigger.BOOKING_CONFIRMED,
        "Confirmed: {service_name} on {appointment_date}",
        "Hello {customer_name},\n\nyour {service_name} with {staff_name} is confirmed for "
        + _WHEN
        + ".\n\n"
        + _MEETING
        + "\n"
        + _MANAGE
        + _SIGNATURE,
    ),
    DefaultWorkflow(
        "reschedule",
        "Booking rescheduled",
        Trigger.BOOKING_RESCHEDULED,
        "New time: {service_name} on {appointment_date}",
        "Hello {customer_name},\n\nyour {service_name} with {staff_name} has moved to "
        + _WHEN
        + ".\n\n"
        + _MEETING
        + "\n"
        + _MANAGE
        + _SIGNATURE,
    ),
    DefaultWorkflow(
        "cancellation",
        "Booking cancelled",
        Trigger.BOOKING_CANCELLED,
        "Cancelled: {service_name} on {appointment_date}",
        "Hello {customer_name},\n\nyour {service_name} with {staff_name} on "
        + _WHEN
        + " is cancelled.\n"
        + _SIGNATURE,
    ),
    DefaultWorkflow(
        "reminder_24h",
        "Reminder 24 hours before",
        Trigger.BEFORE_START,
        "Tomorrow: {service_name} at {appointment_start_time}",
        "Hello {customer_name},\n\na reminder of your {service_name} with {staff_name} on "
        + _WHEN
        + ".\n\n"
        + _MEETING
        + "\n"
        + _MANAGE
        + _SIGNATURE,
        offset_minutes=24 * 60,
    ),
    DefaultWorkflow(
        "reminder_1h",
        "Reminder 1 hour before",
        Trigger.BEFORE_START,
        "In one hour: {service_name} at {appointment_start_time}",
        "Hello {customer_name},\n\nyour {service_name} with {staff_name} starts at {appointment_start_time} "
        "({appointment_timezone}).\n\n" + _MEETING + _SIGNATURE,
        offset_minutes=60,
    ),
    DefaultWorkflow(
        "staff_new_booking",
        "New booking (staff)",
        Trigger.BOOKING_CONFIRMED,
        "New booking: {service_name} with {customer_name} on {appointment_date}",
        # The answers to the service's questions, a line each, right under who booked what (no line without).
        "{customer_name} ({customer_email}) booked {service_name} on " + _WHEN + ".\n{booking_answers}\n\n"
        "Start the meeting as host: {meeting_host_url}\nMeeting password: {meeting_password}\n",
        to_customer=False,
        to_staff=True,
    ),
    # Sent to the staff member as of the move and, after a reassignment, to the former one too (whose
    # invitation is withdrawn): "with {staff_name}" tells each whose it is now.
    DefaultWorkflow(
        "staff_rescheduled",
        "Booking moved (staff)",
        Trigger.BOOKING_RESCHEDULED,
        "Moved: {service_name} with {customer_name} to {appointment_date}",
        "{customer_name}'s {service_name} has moved to "
        + _WHEN
        + " with {staff_name}.\n"
        + _CHANGE
        + "\nStart the meeting as host: {meeting_host_url}\n",
        to_customer=False,
        to_staff=True,
    ),
    DefaultWorkflow(
        "staff_cancelled",
        "Booking cancelled (staff)",
        Trigger.BOOKING_CANCELLED,
        "Cancelled: {service_name} with {customer_name} on {appointment_date}",
        "{customer_name}'s {service_name} on " + _WHEN + " is cancelled.\n" + _CHANGE,
        to_customer=False,
        to_staff=True,
    ),
]


def install_default_workflows(tenant: Tenant) -> list[Workflow]:
    """Create the default email workflows the tenant does not have yet; idempotent. Returns all of them.

    Existing ones (found by their default key) are left as the tenant edited them; a deleted one comes back.
    """
    installed = []
    with transaction.atomic():
        for default in DEFAULTS:
            workflow, created = Workflow.objects.get_or_create(
                tenant=tenant,
                default_key=default.key,
                defaults={
                    "name": default.name,
                    "trigger": default.trigger,
                    "offset_minutes": default.offset_minutes,
                    "channel": Channel.EMAIL,
                    "to_customer": default.to_customer,
                    "to_staff": default.to_staff,
                    "subject_template": default.subject,
                    "body_template": default.body,
                },
            )
            if created:
                workflow.full_clean()
            installed.append(workflow)
    return installed


def install_for_new_tenant(sender: Any, *, tenant: Tenant, **kwargs: Any) -> None:
    """Receiver of `tenants.signals.tenant_created`: a new business starts with the default workflows."""
    install_default_workflows(tenant)
