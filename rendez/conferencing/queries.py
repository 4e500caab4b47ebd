"""The read side of meetings: what the API, messages and (later) pages show of an appointment's meeting.

One place decides what a meeting looks like from outside, so the API and the messages can never disagree.
Only what a customer may see is here: the host's start link is never stored, and never part of a view.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from rendez import jobs
from rendez.conferencing.models import Meeting
from rendez.scheduling import events
from rendez.scheduling.models import Appointment

# States in which the meeting's link works.
LINK_STATES = frozenset({Meeting.State.READY, Meeting.State.UNMANAGED})
# States after which no link will come without a new change (or a retry by a person).
WITHOUT_LINK = frozenset({Meeting.State.FAILED, Meeting.State.DELETED})
# For `select_related` on appointments (and `appointment__meeting` on bookings): no query per row.
RELATION = "meeting"


@dataclass(frozen=True)
class MeetingView:
    provider: str
    state: str
    meeting_id: str | None
    join_url: str | None
    password: str | None
    last_error: str | None

    @property
    def ready(self) -> bool:
        return self.state in LINK_STATES and bool(self.join_url)

    @property
    def settled_without_link(self) -> bool:
        return self.state in WITHOUT_LINK

    def as_dict(self) -> dict[str, str | None]:
        return {
            "provider": self.provider,
            "state": self.state,
            "meeting_id": self.meeting_id,
            "join_url": self.join_url,
            "password": self.password,
            "last_error": self.last_error,
        }


def meeting_record(appointment: Appointment) -> Meeting | None:
    try:
        return appointment.meeting  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None


def meeting_view(appointment: Appointment) -> MeetingView | None:
    """The appointment's meeting as anyone may see it, or None when it has none."""
    meeting = meeting_record(appointment)
    if meeting is None:
        return None
    shows_link = meeting.state in LINK_STATES
    return MeetingView(
        provider=meeting.provider,
        state=meeting.state,
        meeting_id=meeting.external_id or None,
        join_url=(meeting.join_url or None) if shows_link else None,
        password=(meeting.password or None) if shows_link else None,
        last_error=meeting.last_error or None,
    )


def meeting_coming(appointment: Appointment) -> bool:
    """Whether a link may still come without anyone acting: the meeting is being made, or a sync is queued."""
    view = meeting_view(appointment)
    if view is not None and view.state == Meeting.State.PENDING:
        return True
    if view is not None and view.ready:
        return False
    return jobs.has_open(events.SYNC_MEETING, events.appointment_key(appointment.pk))
