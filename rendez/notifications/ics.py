"""Calendar invitations (iCalendar, RFC 5545 / iTIP RFC 5546) for bookings.

One booking is one event for its whole life: the UID never changes, SEQUENCE grows with every reschedule (and
at cancellation), and a cancelled or rejected booking is sent as METHOD:CANCEL so calendars remove it.

Where: for a video service the meeting's join link is the LOCATION and is repeated in the description with
the passcode; until there is a link, both say that it follows (the business's street address would send
people to the wrong place). Other services show the business's address. Meeting values come from
`conferencing.queries`, as everywhere else. The description also lists the booking's answers to the service's
questions.

When: in the recipient's zone with its VTIMEZONE, except an event that starts or ends in the hour repeated
as clocks go back, which is written in UTC (`event_times`): a local time there would name two instants.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from rendez.conferencing.choice import makes_meetings
from rendez.conferencing.desired import PROVIDER_LABELS
from rendez.conferencing.queries import MeetingView, meeting_view
from rendez.notifications.context import answers_text, manage_url
from rendez.notifications.context import attendee as attendee_booking
from rendez.notifications.localtime import is_ambiguous
from rendez.notifications.models import RecipientKind
from rendez.notifications.moments import (
    CANCELLED_STATUSES,
    Moment,
    bump_sequence,
    current_sequence,
    moment_now,
)
from rendez.scheduling.models import Booking

__all__ = [
    "CANCELLED_STATUSES",
    "build_invitation",
    "build_series_invitation",
    "bump_sequence",
    "current_sequence",
    "uid_for",
]

PRODID = "-//Rendez//Rendez 0.1//EN"
LINK_FOLLOWS = "Video meeting: the link to join follows in a separate message"


def uid_for(booking: Booking) -> str:
    host = urlsplit(settings.BASE_URL).hostname or "rendez.localhost"
    return f"booking-{booking.pk}@{host}"


def build_invitation(
    booking: Booking,
    zone: ZoneInfo,
    now: datetime | None = None,
    *,
    moment: Moment | None = None,
    audience: str = RecipientKind.CUSTOMER,
    withdrawn: bool = False,
) -> tuple[bytes, str]:
    """The invitation for the booking at `moment` (default: as it is now), with times in `zone`, as
    `audience` sees it; returns (ics bytes, METHOD). `withdrawn`: the recipient is no longer part of it (the
    staff member a booking was taken from), so their calendar drops it."""
    moment = moment or moment_now(booking)
    cancelled = moment.cancelled or withdrawn
    method = "CANCEL" if cancelled else "REQUEST"
    calendar = _calendar(method)
    calendar.add_component(_event(booking, moment, zone, now, audience=audience, cancelled=cancelled))
    add_timezones(calendar)
    return calendar.to_ical(), method


def build_series_invitation(
    occurrences: list[tuple[Booking, Moment]],
    zone: ZoneInfo,
    now: datetime | None = None,
    *,
    audience: str = RecipientKind.CUSTOMER,
    withdrawn: bool = False,
) -> tuple[bytes, str]:
    """One invitation for several occurrences of a series changed by one action: one VCALENDAR with one
    VEVENT per booking, each with the UID, SEQUENCE and link it has alone (RFC 5545 3.4 lets an iCalendar
    object hold several components; RFC 5546 3.2.2/3.2.5 let one REQUEST or CANCEL carry several events
    with distinct UIDs). The METHOD is one for the whole object, so the action's kind decides it: CANCEL
    when every occurrence listed is off, else REQUEST (a cancelled one is then sent with STATUS:CANCELLED,
    which calendars show struck out or remove). No RRULE and no RECURRENCE-ID: each occurrence is its own
    event, so moving or cancelling one alone later is an ordinary update of that UID."""
    cancelled_all = withdrawn or all(moment.cancelled for _, moment in occurrences)
    method = "CANCEL" if cancelled_all else "REQUEST"
    calendar = _calendar(method)
    for booking, moment in occurrences:
        cancelled = moment.cancelled or withdrawn
        calendar.add_component(_event(booking, moment, zone, now, audience=audience, cancelled=cancelled))
    add_timezones(calendar)
    return calendar.to_ical(), method


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _event(
    booking: Booking, moment: Moment, zone: ZoneInfo, now: datetime | None, *, audience: str, cancelled: bool
) -> Event:
    appointment = moment.appointment
    video = makes_meetings(appointment.service)
    meeting = meeting_view(appointment, attendee_booking(booking, audience)) if video else None
    # A cancelled event promises no link, nor does one whose booking is off by now.
    link_follows = video and not cancelled and booking.holds_seats
    event = Event()
    event.add("uid", uid_for(booking))
    event.add("sequence", moment.sequence)
    event.add("dtstamp", (now or timezone.now()).astimezone(UTC))
    start, end = event_times(moment.start, moment.end, zone)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary(booking, moment, audience))
    event.add("description", _description(booking, moment, meeting, link_follows=link_follows))
    location = _location(booking, meeting, video=video, link_follows=link_follows)
    if location:
        event.add("location", location)
    event.add("url", manage_url(booking))
    event.add("status", _status(moment, cancelled))
    event.add("organizer", _organizer(booking))
    attendee = vCalAddress(f"mailto:{booking.customer.email}")
    attendee.params["cn"] = vText(booking.customer.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
    event.add("attendee", attendee, encode=False)
    return event


def add_timezones(calendar: Calendar) -> None:
    """`calendar.add_missing_timezones()`, with each zone's VTIMEZONE built once per process: icalendar
    derives it from the zone's transitions, a few milliseconds of CPU per email that the embedded worker,
    sharing its process with the web server, spends on every booking (bench/embedded.py)."""
    for position, tzid in enumerate(sorted(calendar.get_missing_tzids())):
        if (component := vtimezone(tzid)) is not None:
            calendar.subcomponents.insert(position, component)


@functools.lru_cache(maxsize=64)
def vtimezone(tzid: str) -> Timezone | None:
    try:
        return Timezone.from_tzid(tzid)
    except ValueError:  # a zone icalendar does not know: left out, as add_missing_timezones() does
        return None


def event_times(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """DTSTART and DTEND as times that name one instant each: local to `zone` (with its VTIMEZONE) as a rule,
    in UTC when either falls in the hour that repeats as clocks go back. RFC 5545 reads such a local time as
    its first occurrence, so the second one (02:30 CET after 02:30 CEST) cannot be written locally at all;
    both ends switch together so the event reads as one kind of time."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if is_ambiguous(local_start) or is_ambiguous(local_end):
        return start.astimezone(UTC), end.astimezone(UTC)
    return local_start, local_end


def summary(booking: Booking, moment: Moment, audience: str) -> str:
    """The event's title from the recipient's side: the customer meets the staff member, the staff member
    meets the customer; anyone else sees both."""
    service = moment.appointment.service.name
    if audience == RecipientKind.CUSTOMER:
        return f"{service} with {moment.staff_name}"
    if audience == RecipientKind.STAFF:
        return f"{service} with {booking.customer.name}"
    return f"{service}: {booking.customer.name} with {moment.staff_name}"


def _status(moment: Moment, cancelled: bool) -> str:
    if cancelled:
        return "CANCELLED"
    if moment.status == Booking.Status.PENDING:
        return "TENTATIVE"
    return "CONFIRMED"


def _organizer(booking: Booking) -> vCalAddress:
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'bookings@rendez.localhost'}")
    organizer.params["cn"] = vText(booking.tenant.name)
    return organizer


def _location(booking: Booking, meeting: MeetingView | None, *, video: bool, link_follows: bool) -> str:
    if meeting is not None and meeting.ready:
        return meeting.join_url or ""
    if video:
        return LINK_FOLLOWS if link_follows else ""
    return booking.tenant.address


def _description(booking: Booking, moment: Moment, meeting: MeetingView | None, *, link_follows: bool) -> str:
    service = moment.appointment.service.name
    lines = [f"{service}: {booking.customer.name} with {moment.staff_name} ({booking.tenant.name})."]
    if meeting is not None and meeting.ready:
        lines.append(f"Join {_provider_name(meeting)} meeting: {meeting.join_url}")
        if meeting.password:
            lines.append(f"Passcode: {meeting.password}")
    elif link_follows:
        lines.append(f"{LINK_FOLLOWS}.")
    if booking.answers:
        lines.append(answers_text(booking))
    lines.append(f"Manage your booking: {manage_url(booking)}")
    return "\n".join(lines)


def _provider_name(meeting: MeetingView) -> str:
    return PROVIDER_LABELS.get(meeting.provider, meeting.provider.title())
