"""The appointments a calendar page shows, in one query."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from rendez.scheduling.models import Appointment, Staff
from rendez.web.panel.access import Panel, appointments_for
from rendez.web.panel.calendar.periods import Period
from rendez.web.panel.queries import UNSHOWN, local_midnight


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
