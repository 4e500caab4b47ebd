"""The appointments a calendar page shows, in one query."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from rendez.scheduling.models import Appointment, Staff
from rendez.web.panel.access import Panel, appointments_for
from rendez.web.panel.calendar.periods import Period
from rendez.web.panel.queries import local_midnight

# Columns no event shows nor its meeting's status reads (panel/markup.py, panel/meetings.py): a month reads
# hundreds of rows, and Python's decoding of each timestamp and JSON value was much of a page's time. Reading
# one of them later would cost a query per event (tests count the queries of a month).
UNSHOWN = (
    "created_at",
    "updated_at",
    "block_start",
    "block_end",
    "service__description",
    "service__meeting_options",
    "staff__email",
    "staff__phone",
    "meeting__host_user_key",
    "meeting__host_account_id",
    "meeting__host_email",
    "meeting__topic",
    "meeting__sent_timezone",
    "meeting__attempt_started_at",
    "meeting__created_at",
    "meeting__updated_at",
)


def appointments_in(panel: Panel, period: Period, staff: Staff | None) -> QuerySet[Appointment]:
    """Appointments starting on one of the period's days (in the active zone), service, staff and meeting
    joined in, so a page costs one query however many there are."""
    appointments = appointments_for(panel).filter(
        start__gte=local_midnight(period.first),
        start__lt=local_midnight(period.last + timedelta(days=1)),
    )
    if staff is not None:
        appointments = appointments.filter(staff=staff)
    return appointments.select_related("service", "staff", "meeting").defer(*UNSHOWN).order_by("start", "pk")


def by_day(appointments: QuerySet[Appointment]) -> dict[date, list[Appointment]]:
    days: dict[date, list[Appointment]] = defaultdict(list)
    for appointment in appointments:
        days[timezone.localdate(appointment.start)].append(appointment)
    return days
