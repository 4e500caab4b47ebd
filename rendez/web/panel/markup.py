"""The panel's per-appointment markup, written in Python: a calendar event and a row of an appointments table.

Why not templates: a month holds hundreds of appointments, and Django's engine spent 0.3–0.5 ms on each (an
`{% include %}`, a template tag, a dozen variable look-ups and date filters), most of a month page's time.
These functions write the same markup those templates wrote (`panel/calendar/_event.html`, the rows of
`panel/_rows.html`) at a few microseconds each; every value passes through `format_html`/`escape`.
Dates go through `django.utils.dateformat`, the date filter's own formatter, in the active zone."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
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
    staff = format_html(' <span class="event-staff">{}</span>', appointment.staff.name) if is_admin else ""
    cancelled = '<span class="visually-hidden">, cancelled</span>' if not appointment.seats_taken else ""
    meeting = (
        format_html('<span class="visually-hidden">, meeting {}</span>', status.label.lower())
        if status
        else ""
    )
    return format_html(
        '<button type="button" class="{}" hx-get="{}" hx-target="#drawer-body" hx-swap="innerHTML" '
        'aria-haspopup="dialog" aria-controls="drawer" data-appointment="{}">\n'
        '  <time datetime="{}">{}–{}</time>\n'
        '  <span class="event-title">{}</span>{}\n'
        "  {}\n"
        "  {}\n"
        "</button>\n",
        classes,
        url.format(appointment.pk),
        appointment.pk,
        dateformat.format(start, "c"),
        dateformat.format(start, "H:i"),
        dateformat.format(end, "H:i"),
        appointment.service.name,
        staff,
        mark_safe(cancelled),  # noqa: S308 - a constant
        meeting,
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
    staff = format_html("<td>{}</td>", appointment.staff.name) if is_admin else ""
    return format_html(
        "    <tr>\n"
        '      <td><a href="{}">{}–{}</a></td>\n'
        "      <td>{}</td>\n"
        "      {}\n"
        "      <td>{}</td>\n"
        "      <td>{}</td>\n"
        "    </tr>\n",
        url.format(appointment.pk),
        dateformat.format(start, "D j M, H:i"),
        dateformat.format(end, "H:i"),
        appointment.service.name,
        staff,
        _customers(appointment.bookings.all()),
        badge(status_of(appointment)),
    )


def _customers(bookings: Iterable[Booking]) -> SafeString:
    parts = [
        format_html(
            '{}{} <span class="badge {}">{}</span>',
            booking.customer.name,
            f" ×{booking.party_size}" if booking.party_size > 1 else "",
            _tone(booking.status),
            booking.get_status_display(),
        )
        for booking in bookings
    ]
    if not parts:
        return mark_safe('<span class="muted">No bookings</span>')  # noqa: S308 - a constant
    return mark_safe("<br>".join(parts))  # noqa: S308 - each part escaped by format_html


def _tone(status: str) -> str:
    if status in GOOD:
        return "ok"
    return "warn" if status in WAITING else "bad"


def badge(status: MeetingStatus | None) -> SafeString:
    """`panel/_meeting_badge.html`: the meeting's state as a badge, or a dash."""
    if status is None:
        return mark_safe('<span class="muted">—</span>')  # noqa: S308 - a constant
    return format_html(
        '<span class="badge {}" data-testid="meeting-state">{}</span>', status.tone, status.label
    )
