"""Calendar invitations (iCalendar, RFC 5545 / iTIP RFC 5546) for bookings.

One booking is one event for its whole life: the UID never changes, SEQUENCE grows with every reschedule (and
at cancellation), and a cancelled or rejected booking is sent as METHOD:CANCEL so calendars remove it.

Where: for a video service the meeting's join link is the LOCATION and is repeated in the description with
the passcode; until there is a link, both say that it follows (the business's street address would send
people to the wrong place). Other services show the business's address. Meeting values come from
`conferencing.queries`, as everywhere else.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from rendez.conferencing.queries import MeetingView, meeting_view
from rendez.notifications.context import manage_url
from rendez.notifications.models import Invitation
from rendez.scheduling.models import Booking

PRODID = "-//Rendez//Rendez 0.1//EN"
LINK_FOLLOWS = "Video meeting: the link to join follows in a separate message"
PROVIDER_NAMES = {"zoom": "Zoom"}
# Bookings in these states are off: their invitation cancels the calendar event.
CANCELLED_STATUSES = frozenset({Booking.Status.CANCELLED, Booking.Status.REJECTED})


def uid_for(booking: Booking) -> str:
    host = urlsplit(settings.BASE_URL).hostname or "rendez.localhost"
    return f"booking-{booking.pk}@{host}"


def current_sequence(booking: Booking) -> int:
    invitation = Invitation.objects.filter(booking=booking).first()
    return invitation.sequence if invitation else 0


def bump_sequence(booking: Booking) -> int:
    """Record a change calendars must see as newer (reschedule, cancellation); returns the new SEQUENCE."""
    Invitation.objects.get_or_create(booking=booking)
    Invitation.objects.filter(booking=booking).update(sequence=F("sequence") + 1)
    return current_sequence(booking)


def method_for(booking: Booking) -> str:
    return "CANCEL" if booking.status in CANCELLED_STATUSES else "REQUEST"


def build_invitation(booking: Booking, zone: ZoneInfo, now: datetime | None = None) -> tuple[bytes, str]:
    """The invitation for the booking as it is now, with times in `zone`; returns (ics bytes, METHOD)."""
    appointment = booking.appointment
    method = method_for(booking)
    meeting = meeting_view(appointment) if appointment.service.zoom_enabled else None
    # A cancelled event promises no link.
    link_follows = appointment.service.zoom_enabled and method != "CANCEL"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", uid_for(booking))
    event.add("sequence", current_sequence(booking))
    event.add("dtstamp", (now or timezone.now()).astimezone(ZoneInfo("UTC")))
    event.add("dtstart", appointment.start.astimezone(zone))
    event.add("dtend", appointment.end.astimezone(zone))
    event.add("summary", f"{appointment.service.name} with {appointment.staff.name}")
    event.add("description", _description(booking, meeting, link_follows=link_follows))
    location = _location(booking, meeting, link_follows=link_follows)
    if location:
        event.add("location", location)
    event.add("url", manage_url(booking))
    event.add("status", _status(booking))
    event.add("organizer", _organizer(booking))
    attendee = vCalAddress(f"mailto:{booking.customer.email}")
    attendee.params["cn"] = vText(booking.customer.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("DECLINED" if method == "CANCEL" else "ACCEPTED")
    event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical(), method


def _status(booking: Booking) -> str:
    if booking.status in CANCELLED_STATUSES:
        return "CANCELLED"
    if booking.status == Booking.Status.PENDING:
        return "TENTATIVE"
    return "CONFIRMED"


def _organizer(booking: Booking) -> vCalAddress:
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'bookings@rendez.localhost'}")
    organizer.params["cn"] = vText(booking.tenant.name)
    return organizer


def _location(booking: Booking, meeting: MeetingView | None, *, link_follows: bool) -> str:
    if meeting is not None and meeting.ready:
        return meeting.join_url or ""
    if booking.appointment.service.zoom_enabled:
        return LINK_FOLLOWS if link_follows else ""
    return booking.tenant.address


def _description(booking: Booking, meeting: MeetingView | None, *, link_follows: bool) -> str:
    appointment = booking.appointment
    lines = [f"{appointment.service.name} with {appointment.staff.name} ({booking.tenant.name})."]
    if meeting is not None and meeting.ready:
        lines.append(f"Join {_provider_name(meeting)} meeting: {meeting.join_url}")
        if meeting.password:
            lines.append(f"Passcode: {meeting.password}")
    elif link_follows:
        lines.append(f"{LINK_FOLLOWS}.")
    lines.append(f"Manage your booking: {manage_url(booking)}")
    return "\n".join(lines)


def _provider_name(meeting: MeetingView) -> str:
    return PROVIDER_NAMES.get(meeting.provider, meeting.provider.title())
