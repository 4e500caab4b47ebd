"""The values shortcodes take for one booking, as of one moment (its event's, or now), and one recipient.

Dates and times are shown in the recipient's zone: the customer's own (else the tenant's) for customers, the
staff member's for staff, the tenant's for admins and fixed addresses. A time in the hour that repeats when
clocks go back names its offset ("02:30 CET (UTC+01:00)", `localtime.time_label`). Meeting values come from
`conferencing.queries` (the one read side of meetings, shared with the API) and are empty while the meeting
is not ready. The host's start link is never stored: staff get a Rendez link that fetches a fresh one when
clicked.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from rendez.conferencing.queries import meeting_view
from rendez.lib import shortcodes
from rendez.notifications.localtime import time_label
from rendez.notifications.models import RecipientKind
from rendez.notifications.moments import Moment, moment_now
from rendez.scheduling.models import Appointment, Booking

# Recipients allowed to see the host link; the workflow validation keeps it away from the rest.
HOST_LINK_RECIPIENTS = frozenset({RecipientKind.STAFF, RecipientKind.ADMIN})


@dataclass(frozen=True)
class MeetingValues:
    join_url: str = ""
    password: str = ""
    ready: bool = False


def meeting_values(appointment: Appointment, for_booking: Booking | None = None) -> MeetingValues:
    """The meeting's shortcode values: empty until `conferencing.queries` calls the meeting ready.
    `for_booking`: as that booking's customer sees it (their own link with per-attendee links)."""
    view = meeting_view(appointment, for_booking)
    if view is None or not view.ready:
        return MeetingValues()
    return MeetingValues(join_url=view.join_url or "", password=view.password or "", ready=True)


def manage_url(booking: Booking) -> str:
    return f"{settings.BASE_URL}/manage/{booking.manage_token}"


def answers_text(booking: Booking) -> str:
    """The booking's answers to the service's questions, one "Question: answer" line each ('' for none)."""
    lines = []
    for answer in booking.answers or []:
        text = " ".join(str(answer.get("answer", "")).split())
        lines.append(f"{answer.get('label', '')}: {text}")
    return "\n".join(lines)


def attendee(booking: Booking, recipient_kind: str) -> Booking | None:
    """The booking whose own meeting link `recipient_kind` is shown: the customer's; everyone else (staff,
    admins, fixed addresses) sees the meeting's shared link."""
    return booking if recipient_kind == RecipientKind.CUSTOMER else None


def start_meeting_url(appointment: Appointment) -> str:
    return f"{settings.BASE_URL}/panel/appointments/{appointment.pk}/start-meeting/"


def shortcode_values(
    booking: Booking, recipient_kind: str, zone: ZoneInfo, moment: Moment | None = None
) -> dict[str, str]:
    """Every shortcode's value for this booking at `moment` (default: now) as `recipient_kind` should see
    it."""
    moment = moment or moment_now(booking)
    appointment = moment.appointment
    start = moment.start.astimezone(zone)
    end = moment.end.astimezone(zone)
    meeting = meeting_values(appointment, attendee(booking, recipient_kind))
    host_url = ""
    if meeting.ready and recipient_kind in HOST_LINK_RECIPIENTS:
        host_url = start_meeting_url(appointment)
    values = {
        "customer_name": booking.customer.name,
        "customer_email": booking.customer.email,
        "customer_phone": booking.customer.phone,
        "service_name": appointment.service.name,
        "staff_name": moment.staff_name,
        "appointment_date": start.strftime("%A, %d %B %Y"),
        "appointment_start_time": time_label(start),
        "appointment_end_time": time_label(end),
        "appointment_timezone": str(zone.key),
        "booking_status": moment.status_label,
        "booking_manage_url": manage_url(booking),
        "booking_answers": answers_text(booking),
        "meeting_url": meeting.join_url,
        "meeting_password": meeting.password,
        "meeting_host_url": host_url,
        "tenant_name": booking.tenant.name,
        "tenant_address": booking.tenant.address,
        # Workflows to customers may not use it (validation); empty for them all the same.
        "change_reason": "" if recipient_kind == RecipientKind.CUSTOMER else moment.change_reason,
        "changed_by": moment.changed_by,
    }
    # Templates written with the older `{zoom_meeting_*}` names read the same values.
    return shortcodes.with_aliases(values)
