"""What a customer may still do with a booking online, decided in one place for every page of the panel."""

from __future__ import annotations

from datetime import datetime, timedelta

from rendez.conferencing.choice import makes_meetings
from rendez.scheduling.models import Booking


def change_refusal(booking: Booking, now: datetime) -> str | None:
    """Why the customer may not reschedule or cancel `booking` online at `now`, or None when they may."""
    appointment = booking.appointment
    if not booking.holds_seats:
        return f"This booking is {booking.get_status_display().lower()}, so there is nothing left to change."
    if appointment.start <= now:
        return "This appointment has already begun, so it can no longer be changed online."
    notice = timedelta(minutes=appointment.service.min_notice_minutes)
    if appointment.start - now < notice:
        return (
            f"{booking.tenant.name} accepts changes up to {describe(notice)} before the appointment. "
            "It is too late to reschedule or cancel online; please contact them directly."
        )
    return None


def describe(span: timedelta) -> str:
    """A notice period in words: "90 minutes", "2 hours", "1 day"."""
    minutes = int(span.total_seconds() // 60)
    for unit, size in (("day", 1440), ("hour", 60)):
        if minutes >= size and minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def shows_video(booking: Booking, now: datetime) -> bool:
    """The video button stays until the appointment ends, for seats that are still held."""
    appointment = booking.appointment
    return booking.holds_seats and makes_meetings(appointment.service) and now < appointment.end
