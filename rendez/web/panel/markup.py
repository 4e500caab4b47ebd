"""The panel's per-appointment markup, written in Python: a calendar event and a row of an appointments table.

Why not templates: a month holds hundreds of appointments, and Django's engine spent 0.3–0.5 ms on each (an
`{% include %}`, a template tag, a dozen variable look-ups and date filters), most of a month page's time.
These functions write the same markup those templates wrote (`panel/calendar/_event.html`, the rows of
`panel/_rows.html`) at a few microseconds each; every value is escaped as Django's `escape` does. Times are
in the active zone, with the date filter's own names of days and months."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe

from rendez.scheduling.models import Appointment, Booking
from rendez.web.panel.meetings import MeetingStatus, status_of

# Booking states shown as a good, waiting or bad badge.
GOOD = frozenset({Booking.Status.CONFIRMED, Booking.Status.COMPLETED})
WAITING = frozenset({Booking.Status.PENDING})


def details_url() -> str:
    """The details address with `{}` for the appointment's id: reversed once per page, not once per row."""
    return reverse("panel:appointment", args=[0]).replace("/0/", "/{}/")


def event(appointment: Appointment, *, is_admin: bool, url: str) -> SafeString:
    """A calendar event: the button that opens the appointment's details in the drawer."""
    status = status_of(appointment)
    start, end = timezone.localtime(appointment.start), timezone.localtime(appointment.end)
    classes = "event"
    if status is not None and status.tone == "bad":
        classes += " event-failed"
    if not appointment.seats_taken:
        classes += " event-cancelled"
    staff = f' <span class="event-staff">{_e(appointment.staff.name)}</span>' if is_admin else ""
    cancelled = '<span class="visually-hidden">, cancelled</span>' if not appointment.seats_taken else ""
    meeting = f'<span class="visually-hidden">, meeting {_e(status.label.lower())}</span>' if status else ""
    return mark_safe(  # noqa: S308 - every value escaped by _e
        f'<button type="button" class="{classes}" hx-get="{_e(url.format(appointment.pk))}" '
        f'hx-target="#drawer-body" hx-swap="innerHTML" aria-haspopup="dialog" aria-controls="drawer" '
        f'data-appointment="{appointment.pk}">\n'
        f'  <time datetime="{start.isoformat()}">{start:%H:%M}–{end:%H:%M}</time>\n'
        f'  <span class="event-title">{_e(appointment.service.name)}</span>{staff}\n'
        f"  {cancelled}\n"
        f"  {meeting}\n"
        "</button>\n"
    )


def events(appointments: Iterable[Appointment], *, is_admin: bool) -> list[SafeString]:
    url = details_url()
    return [event(a, is_admin=is_admin, url=url) for a in appointments]


def rows(appointments: Iterable[Appointment], *, is_admin: bool) -> list[SafeString]:
    """The table rows of `panel/_rows.html`; the appointments come with their bookings' customers."""
    url = details_url()
    return [row(a, is_admin=is_admin, url=url) for a in appointments]


def row(appointment: Appointment, *, is_admin: bool, url: str) -> SafeString:
    start, end = timezone.localtime(appointment.start), timezone.localtime(appointment.end)
    staff = f"<td>{_e(appointment.staff.name)}</td>" if is_admin else ""
    return mark_safe(  # noqa: S308 - every value escaped by _e or written by functions that escape
        "    <tr>\n"
        f'      <td><a href="{_e(url.format(appointment.pk))}">{_day_and_time(start)}–{end:%H:%M}</a></td>\n'
        f"      <td>{_e(appointment.service.name)}</td>\n"
        f"      {staff}\n"
        f"      <td>{_customers(appointment.bookings.all())}</td>\n"
        f"      <td>{badge(status_of(appointment))}</td>\n"
        "    </tr>\n"
    )


def _day_and_time(local: datetime) -> str:
    """The date filter's "D j M, H:i" ("Mon 14 Dec, 09:00"), with its translated day and month names."""
    weekday, month = WEEKDAYS_ABBR[local.weekday()], MONTHS_3[local.month].title()
    return f"{_e(weekday)} {local.day} {_e(month)}, {local:%H:%M}"


def _e(text: object) -> str:
    """Django's `escape` (which is `html.escape` of the text) without its lazy-string wrapper, called a few
    thousand times a page."""
    return html.escape(str(text))


def _customers(bookings: Iterable[Booking]) -> SafeString:
    parts = [
        f"{_e(booking.customer.name)}{f' ×{booking.party_size}' if booking.party_size > 1 else ''} "
        f'<span class="badge {_tone(booking.status)}">{_e(booking.get_status_display())}</span>'
        for booking in bookings
    ]
    if not parts:
        return mark_safe('<span class="muted">No bookings</span>')  # noqa: S308 - a constant
    return mark_safe("<br>".join(parts))  # noqa: S308 - each part escaped by _e


def _tone(status: str) -> str:
    if status in GOOD:
        return "ok"
    return "warn" if status in WAITING else "bad"


def badge(status: MeetingStatus | None) -> SafeString:
    """`panel/_meeting_badge.html`: the meeting's state as a badge, or a dash."""
    if status is None:
        return mark_safe('<span class="muted">—</span>')  # noqa: S308 - a constant
    return mark_safe(  # noqa: S308 - escaped by _e
        f'<span class="badge {_e(status.tone)}" data-testid="meeting-state">{_e(status.label)}</span>'
    )
