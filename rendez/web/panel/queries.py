"""What the panel's pages list: appointments by filter, the dashboard's days, meetings that failed or keep
failing, and meetings left on Zoom."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from rendez.conferencing.models import Meeting, RetiredMeeting
from rendez.scheduling import timeline
from rendez.scheduling.models import Appointment, Booking
from rendez.web.panel.access import Panel, appointments_for

UPCOMING_DAYS = 7
# Meetings left on Zoom the dashboard names one by one; they are few (each one is a person's to delete).
LEFT_SHOWN = 50

# Columns no event or row shows nor its meeting's status reads (panel/markup.py, panel/meetings.py): a month
# reads hundreds of rows, and Python's decoding of each timestamp and JSON value was much of a page's time.
# Reading one of them later would cost a query per row (tests count the queries of each page).
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


def with_bookings(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    bookings = Booking.objects.select_related("customer").order_by("created_at", "pk")
    return (
        appointments.select_related("meeting")
        .defer(*UNSHOWN)
        .prefetch_related(Prefetch("bookings", queryset=bookings))
    )


def local_midnight(day: date) -> datetime:
    """Midnight of `day` in the active zone (the viewer's), as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered(panel: Panel, filters: dict, now: datetime) -> QuerySet[Appointment]:
    appointments = appointments_for(panel)
    when = filters.get("when") or "upcoming"
    if when == "upcoming":
        appointments = appointments.filter(timeline.not_ended(now)).order_by("start")
    elif when == "past":
        appointments = appointments.filter(timeline.ended(now)).order_by("-start")
    else:
        appointments = appointments.order_by("-start")
    if filters.get("start"):
        appointments = appointments.filter(start__gte=local_midnight(filters["start"]))
    if filters.get("end"):
        appointments = appointments.filter(start__lt=local_midnight(filters["end"] + timedelta(days=1)))
    if filters.get("staff"):
        appointments = appointments.filter(staff=filters["staff"])
    if filters.get("status"):
        appointments = appointments.filter(bookings__status=filters["status"]).distinct()
    return with_bookings(appointments)


def today_and_upcoming(panel: Panel, now: datetime) -> tuple[list[Appointment], list[Appointment]]:
    """Appointments still to come today, and those of the next days, with at least one seat held."""
    tomorrow = local_midnight(timezone.localdate(now) + timedelta(days=1))
    horizon = tomorrow + timedelta(days=UPCOMING_DAYS)
    coming = with_bookings(
        appointments_for(panel)
        .filter(timeline.not_ended(now), start__lt=horizon, seats_taken__gt=0)
        .order_by("start")
    )
    rows = list(coming)
    return [a for a in rows if a.start < tomorrow], [a for a in rows if a.start >= tomorrow]


def troubled_meetings(panel: Panel, now: datetime) -> QuerySet[Meeting]:
    """Meetings that failed or keep failing (`retrying`, with the reason and the next attempt) of appointments
    that have not ended: someone can still act on them. Soonest first."""
    return (
        Meeting.objects.filter(
            tenant=panel.tenant,
            state__in=(Meeting.State.FAILED, Meeting.State.RETRYING),
            appointment__in=appointments_for(panel).filter(timeline.not_ended(now)),
        )
        .select_related("appointment__service", "appointment__staff")
        .order_by("appointment__start", "pk")
    )


def meetings_left(panel: Panel) -> list[RetiredMeeting]:
    """Meetings that should be gone but are still live on Zoom, because their host could not be reached: which
    meeting, on which Zoom user, of which appointment, and why. Newest first; at most LEFT_SHOWN (+1, so the
    page can say there are more)."""
    rows = (
        RetiredMeeting.objects.filter(
            tenant=panel.tenant,
            state=RetiredMeeting.State.LEFT,
            appointment__in=appointments_for(panel),
        )
        .select_related("appointment__service", "appointment__staff")
        .order_by("-updated_at", "-pk")
    )
    return list(rows[: LEFT_SHOWN + 1])
