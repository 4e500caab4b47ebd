"""How the panel names an appointment's meeting: what is true now, in words, with why and what one can do.

It reads `conferencing.queries.meeting_view`, which already says what the record alone cannot (a meeting
being replaced or deleted before its sync has run), and adds the record's reason and next attempt. Reasons
are the provider's own words and go to staff and admins only; customer pages say a plain sentence instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from rendez.conferencing.desired import PROVIDER_LABELS
from rendez.conferencing.models import Meeting, RetiredMeeting
from rendez.conferencing.queries import (
    DELETING,
    AttendeeLink,
    MeetingView,
    attendee_links,
    is_superseded,
    meeting_record,
    meeting_view,
)
from rendez.scheduling.models import Appointment

State = Meeting.State
# What the view says beyond the record's own states (whose labels are the model's).
VIEW_LABELS: dict[str, str] = {DELETING: "Being deleted"}
NEW_LINK = "New link being made"
TONES: dict[str, str] = {
    State.READY: "ok",
    State.UNMANAGED: "ok",
    State.FAILED: "bad",
    State.LEFT_ON_ZOOM: "bad",
}
# Record states a sync started by a person can change: make it again, try again now instead of at the next
# attempt, delete it from a host that is reachable again.
RETRYABLE = frozenset({State.FAILED, State.DELETED, State.RETRYING, State.LEFT_ON_ZOOM})


@dataclass(frozen=True)
class MeetingStatus:
    view: MeetingView
    label: str
    tone: str
    reason: str
    # While the record is `retrying`: when the job tries again ("next attempt …" in the viewer's zone).
    next_attempt_at: datetime | None
    can_retry: bool

    @property
    def state(self) -> str:
        return self.view.state

    @property
    def next_attempt(self) -> str:
        return next_attempt_words(self.next_attempt_at)


def status_of(appointment: Appointment, *, replacing: bool = False) -> MeetingStatus | None:
    """The meeting as staff see it, or None when the appointment has none. `replacing`: an old meeting of the
    appointment is still being retired, so a meeting being created is its new link."""
    view, record = meeting_view(appointment), meeting_record(appointment)
    if view is None or record is None:
        return None
    new_link = view.state == State.PENDING and (replacing or is_superseded(record, appointment))
    retrying = record.state == State.RETRYING
    return MeetingStatus(
        view=view,
        label=NEW_LINK if new_link else label_of(view.state, view.provider),
        tone=TONES.get(view.state, "warn"),
        reason=record.last_error,
        next_attempt_at=record.next_attempt_at if retrying else None,
        can_retry=record.state in RETRYABLE,
    )


@dataclass(frozen=True)
class Links:
    """Whether attendees of a group meeting get personal links, why not when they were refused, and each
    attendee's registration."""

    personal: bool
    refused_because: str
    attendees: list[AttendeeLink]

    @property
    def tone(self) -> str:
        return "ok" if self.personal else "warn"


def links_of(appointment: Appointment) -> Links | None:
    """None when the meeting was never meant to give personal links (one-to-one, or the option off)."""
    record = meeting_record(appointment)
    if record is None or record.registration == Meeting.Registration.OFF:
        return None
    refused = record.registration == Meeting.Registration.REFUSED
    return Links(
        personal=not refused,
        refused_because=record.registration_note if refused else "",
        attendees=attendee_links(appointment),
    )


def next_attempt_words(at: datetime | None) -> str:
    """In words, in the active zone: "at 14:05", "at 09:00 on Tue 8 Dec", or "any moment now" once due."""
    if at is None:
        return ""
    if at <= timezone.now() + timedelta(seconds=1):
        return "any moment now"
    local = timezone.localtime(at)
    if local.date() == timezone.localdate():
        return f"at {local:%H:%M}"
    return f"at {local:%H:%M} on {local:%a} {local.day} {local:%b}"


def label_of(state: str, provider: str = "zoom") -> str:
    """The state in words; a meeting left on its provider names it ("Left on Zoom", "Left on Google Meet")."""
    if state in VIEW_LABELS:
        return VIEW_LABELS[state]
    if state == State.LEFT_ON_ZOOM:
        return f"Left on {PROVIDER_LABELS.get(provider, provider)}"
    return State(state).label if state in State.values else state


def old_meetings_of(appointment: Appointment) -> QuerySet[RetiredMeeting]:
    """The appointment's earlier meetings still on the provider (being deleted, or left there); not the
    record's own, which its state already speaks for."""
    rows = RetiredMeeting.objects.filter(tenant_id=appointment.tenant_id, appointment_id=appointment.pk)
    record = meeting_record(appointment)
    if record is not None and record.external_id:
        rows = rows.exclude(provider=record.provider, external_id=record.external_id)
    return rows.exclude(state=RetiredMeeting.State.DELETED).order_by("created_at", "pk")
