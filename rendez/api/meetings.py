"""The `meeting` member of bookings and appointments, read from the appointment's meeting record if it has
one.

Only what a customer may see: the host's start link is never part of the API's booking view.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist

from rendez.scheduling.models import Appointment


def meeting_of(appointment: Appointment) -> dict | None:
    try:
        meeting = appointment.meeting  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None
    return {
        "provider": meeting.provider,
        "state": meeting.state,
        "meeting_id": meeting.external_id or None,
        "join_url": meeting.join_url or None,
        "password": meeting.password or None,
    }
