"""The read side of meetings: what the API, messages and (later) pages show of an appointment's meeting.

One place decides what a meeting looks like from outside, so the API and the messages can never disagree.
Only what a customer may see is here: the host's start link is never stored, and never part of a view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from rendez import jobs
from rendez.conferencing.desired import PROVIDER_LABELS
from rendez.conferencing.models import Meeting, Registrant
from rendez.conferencing.payloads import SYNC_MEETING
from rendez.scheduling import events
from rendez.scheduling.models import Appointment, Booking

# States in which the record's meeting exists and its link works (`retrying`: a change to it keeps failing,
# while the meeting and its link stand; a create that keeps failing has no link yet).
LINK_STATES = frozenset({Meeting.State.READY, Meeting.State.UNMANAGED, Meeting.State.RETRYING})
# States after which no link will come without a new change (or a retry by a person).
WITHOUT_LINK = frozenset({Meeting.State.FAILED, Meeting.State.DELETED, Meeting.State.LEFT_ON_ZOOM})
# What the view says of a ready meeting that is no longer the appointment's to show (API and panel):
# nobody holds a seat any more and the sync that deletes it has not run yet.
DELETING = "deleting"
# For `select_related` on appointments (and `appointment__meeting` on bookings): no query per row.
RELATION = "meeting"


@dataclass(frozen=True)
class ChangedElsewhere:
    """The time the provider has for the meeting after someone changed it there (the host, in Zoom's pages),
    where it differs from the appointment's. Shown, never silently undone: the appointment's next change is
    what moves the meeting again."""

    start: datetime
    duration_minutes: int
    changed_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "duration_minutes": self.duration_minutes, "changed_at": self.changed_at}


def provider_time(meeting: Meeting) -> tuple[datetime | None, int | None]:
    """The start and duration the provider has for the meeting, as far as we know: what it reported after a
    change made there, for each field our own later sends have not replaced; what we sent otherwise."""
    start, duration = meeting.sent_start, meeting.sent_duration_minutes
    if not meeting.external_id or meeting.provider_external_id != meeting.external_id:
        return start, duration
    if meeting.provider_start is not None and meeting.provider_over_start == meeting.sent_start:
        start = meeting.provider_start
    if (
        meeting.provider_duration_minutes is not None
        and meeting.provider_over_duration_minutes == meeting.sent_duration_minutes
    ):
        duration = meeting.provider_duration_minutes
    return start, duration


def changed_elsewhere(meeting: Meeting) -> ChangedElsewhere | None:
    """The provider's differing time of a live meeting, or None when it has the one we sent."""
    if meeting.state not in LINK_STATES:
        return None
    start, duration = provider_time(meeting)
    if start is None or duration is None:
        return None
    if (start, duration) == (meeting.sent_start, meeting.sent_duration_minutes):
        return None
    return ChangedElsewhere(start=start, duration_minutes=duration, changed_at=meeting.changed_elsewhere_at)


@dataclass(frozen=True)
class MeetingView:
    provider: str
    state: str
    meeting_id: str | None
    join_url: str | None
    password: str | None
    last_error: str | None
    changed_elsewhere: ChangedElsewhere | None = None
    # While `retrying`: when Rendez tries again.
    next_attempt_at: datetime | None = None

    @property
    def provider_label(self) -> str:
        return PROVIDER_LABELS.get(self.provider, self.provider)

    @property
    def ready(self) -> bool:
        return self.state in LINK_STATES and bool(self.join_url)

    @property
    def settled_without_link(self) -> bool:
        return self.state in WITHOUT_LINK

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "state": self.state,
            "meeting_id": self.meeting_id,
            "join_url": self.join_url,
            "password": self.password,
            "last_error": self.last_error,
            "next_attempt_at": self.next_attempt_at,
            "changed_elsewhere": self.changed_elsewhere.as_dict() if self.changed_elsewhere else None,
        }


def meeting_record(appointment: Appointment) -> Meeting | None:
    try:
        return appointment.meeting  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None


def meeting_view(appointment: Appointment, for_booking: Booking | None = None) -> MeetingView | None:
    """The appointment's meeting as anyone may see it, or None when it has none.

    It says what is true now, before the sync that follows a change has run: a meeting made for the staff
    member the appointment had is being replaced (`pending`, no link: the link people hold is about to
    change), and a meeting of an appointment nobody holds a seat in any more is `deleting`, never `ready`.

    `for_booking`: the meeting as that booking's customer sees it. With per-attendee links that is their own
    link (`attendee_view`); staff, admins and the appointment itself see the meeting's shared one."""
    view = _shared_view(appointment)
    if view is None or for_booking is None:
        return view
    return attendee_view(view, meeting_record(appointment), for_booking)


def attendee_view(view: MeetingView, meeting: Meeting | None, booking: Booking) -> MeetingView:
    """The shared `view` turned into the booking's own: its personal link once registered, `pending` (no
    link, one is coming) while it is being registered, `failed` with the reason when Zoom refused it. A
    meeting without registration, or whose host could not use it (`refused`), shows everyone its link."""
    if meeting is None or meeting.registration != Meeting.Registration.ON or not view.ready:
        return view
    row = registrant_of(meeting, booking)
    if row is not None and row.state == Registrant.State.REGISTERED:
        return replace(view, join_url=row.join_url or None)
    if row is not None and row.state == Registrant.State.FAILED:
        return replace(
            view, state=Meeting.State.FAILED, join_url=None, password=None, last_error=row.last_error
        )
    return replace(
        view,
        state=Meeting.State.PENDING,
        join_url=None,
        password=None,
        last_error=row.last_error or None if row is not None else None,
        next_attempt_at=row.next_attempt_at if row is not None else None,
    )


def registration_owed(appointment: Appointment, booking: Booking) -> bool:
    """Whether the booking's own link will come without anyone acting: it holds a seat the meeting is owed to
    (a booking awaiting approval gets its link once confirmed, unless the tenant makes meetings for those)."""
    if booking.status == Booking.Status.CONFIRMED:
        return True
    return booking.status == Booking.Status.PENDING and appointment.tenant.meetings_for_pending


def registrant_of(meeting: Meeting, booking: Booking) -> Registrant | None:
    return Registrant.objects.filter(booking=booking, external_meeting_id=meeting.external_id).first()


@dataclass(frozen=True)
class AttendeeLink:
    """One attendee of a meeting with per-attendee links, as staff see them in the panel."""

    booking_id: int
    name: str
    email: str
    state: str
    state_label: str
    last_error: str


def attendee_links(appointment: Appointment) -> list[AttendeeLink]:
    """Each seat's registration state on the appointment's meeting (empty without per-attendee links)."""
    meeting = meeting_record(appointment)
    if meeting is None or meeting.registration != Meeting.Registration.ON or not meeting.external_id:
        return []
    rows = {
        row.booking_id: row
        for row in Registrant.objects.filter(meeting=meeting, external_meeting_id=meeting.external_id)
    }
    bookings = Booking.objects.select_related("customer").filter(appointment=appointment).order_by("pk")
    links = []
    for booking in bookings:
        row = rows.get(booking.pk)
        if row is None and not booking.holds_seats:
            continue
        state = row.state if row is not None else Registrant.State.PENDING
        label = Registrant.State(state).label
        links.append(
            AttendeeLink(
                booking.pk,
                booking.customer.name,
                booking.customer.email,
                state,
                label,
                row.last_error if row else "",
            )
        )
    return links


def _shared_view(appointment: Appointment) -> MeetingView | None:
    meeting = meeting_record(appointment)
    if meeting is None:
        return None
    state = meeting.state
    if state in LINK_STATES and state != Meeting.State.UNMANAGED:
        if is_being_deleted(appointment):
            state = DELETING
        elif is_superseded(meeting, appointment):
            state = Meeting.State.PENDING
    shows_link = state in LINK_STATES
    return MeetingView(
        provider=meeting.provider,
        state=state,
        meeting_id=meeting.external_id or None,
        join_url=(meeting.join_url or None) if shows_link else None,
        password=(meeting.password or None) if shows_link else None,
        last_error=meeting.last_error or None,
        changed_elsewhere=changed_elsewhere(meeting) if shows_link else None,
        next_attempt_at=meeting.next_attempt_at if state == Meeting.State.RETRYING else None,
    )


def is_being_deleted(appointment: Appointment) -> bool:
    """Nobody holds a seat, the appointment has not ended and its meeting did not take place: the sync
    deletes it. (The took-place read runs only in that rare in-between state.)"""
    if appointment.seats_taken or appointment.end <= timezone.now():
        return False
    took_place = (Booking.Status.COMPLETED, Booking.Status.NO_SHOW)
    loaded = getattr(appointment, "_prefetched_objects_cache", {}).get("bookings")
    if loaded is not None:  # a list page prefetched them: no query per row
        return not any(booking.status in took_place for booking in loaded)
    return not Booking.objects.filter(appointment_id=appointment.pk, status__in=took_place).exists()


def is_superseded(meeting: Meeting, appointment: Appointment) -> bool:
    """Whether the record's meeting was made for another staff member than the appointment's: its
    replacement is on its way."""
    return meeting.host_staff_id is not None and meeting.host_staff_id != appointment.staff_id


def meeting_coming(appointment: Appointment, for_booking: Booking | None = None) -> bool:
    """Whether a link may still come without anyone acting: the meeting is being made (or, for a booking with
    per-attendee links, its registration), or a sync is queued."""
    view = meeting_view(appointment, for_booking)
    if view is not None and view.state == Meeting.State.PENDING:
        # The meeting is being made, or (the meeting ready) the booking's own link is being registered.
        shared = _shared_view(appointment) if for_booking is not None else None
        if for_booking is not None and shared is not None and shared.ready:
            return registration_owed(appointment, for_booking)
        return True
    if view is not None and view.ready:
        return False
    return jobs.has_open(SYNC_MEETING, events.appointment_key(appointment.pk))


@dataclass(frozen=True)
class MeetingsOfMany:
    """How far the meetings of several appointments (a series' occurrences) are: for the panel's "N meetings
    will be made after 00:00 UTC" while a host's daily quota holds the rest back."""

    owed: int  # appointments that hold seats and have not ended
    ready: int
    waiting_for_tomorrow: int  # retrying no earlier than the next 00:00 UTC (the daily cap's reset)
    next_day: datetime | None  # that 00:00 UTC

    @property
    def coming(self) -> int:
        return self.owed - self.ready


def meetings_of_many(appointment_ids: list[int], now: datetime | None = None) -> MeetingsOfMany:
    now = now or timezone.now()
    owed = list(
        Appointment.objects.filter(pk__in=appointment_ids, seats_taken__gt=0, end__gt=now).values_list(
            "pk", flat=True
        )
    )
    records = list(Meeting.objects.filter(appointment_id__in=owed))
    midnight = (now.astimezone(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    ready = sum(record.state == Meeting.State.READY and bool(record.join_url) for record in records)
    tomorrow = sum(
        record.state == Meeting.State.RETRYING
        and not record.join_url
        and record.next_attempt_at is not None
        and record.next_attempt_at >= midnight
        for record in records
    )
    return MeetingsOfMany(len(owed), ready, tomorrow, midnight if tomorrow else None)
