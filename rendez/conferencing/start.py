"""Starting a meeting as its host: a fresh start link, fetched when the host clicks.

The vendor's start link expires within hours (Zoom: two), so it is never stored (DESIGN.md section 5); each
click asks the provider for a new one. Refusals are values with codes, so the API and the panel can each say
them their own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.conferencing.port import HostRef, get_provider
from rendez.conferencing.queries import meeting_record, meeting_view
from rendez.scheduling.models import Appointment

ENDED = "appointment_ended"
NO_MEETING = "no_meeting"
NOT_READY = "meeting_not_ready"
NO_HOST = "host_unknown"
HOST_UNUSABLE = "host_unusable"


@dataclass(frozen=True)
class StartRefusal:
    """Why the meeting cannot be started now. `final`: it never will be (the appointment is over)."""

    code: str
    message: str

    @property
    def final(self) -> bool:
        return self.code == ENDED


class StartRefused(Exception):
    def __init__(self, refusal: StartRefusal):
        super().__init__(refusal.message)
        self.refusal = refusal


def start_url(appointment: Appointment, *, now: datetime | None = None) -> str:
    """A freshly fetched link that starts `appointment`'s meeting as its host.

    Raises `StartRefused` when there is nothing to start, and the provider's `ProviderError` when it would not
    hand out a link (its `retryable` says whether a second click may work)."""
    meeting = _startable_meeting(appointment, now or timezone.now())
    host = host_of(meeting, appointment)
    return get_provider(meeting.provider).start_url(host, meeting.external_id)


def _startable_meeting(appointment: Appointment, now: datetime) -> Meeting:
    if appointment.end <= now:
        raise StartRefused(
            StartRefusal(ENDED, "The appointment has ended; its meeting can no longer be started.")
        )
    view = meeting_view(appointment)
    meeting = meeting_record(appointment)
    if view is None or meeting is None:
        raise StartRefused(StartRefusal(NO_MEETING, "This appointment has no video meeting."))
    if not view.ready or not meeting.external_id:
        reason = f" ({view.last_error})" if view.last_error else ""
        raise StartRefused(
            StartRefusal(NOT_READY, f"The meeting is not ready to start: it is {view.state}{reason}.")
        )
    return meeting


def host_of(meeting: Meeting, appointment: Appointment) -> HostRef:
    """Who the meeting is hosted by, reached through the connection that works for them today.

    The record names the hosting user and the connection that made the meeting; a reconnect may since have
    replaced that connection while the user stayed the same, so the staff member's current host is used when
    it is that user. A staff member who moved to another user still hosts this meeting as the old one until a
    sync moves it, so the record's connection is used then (as the sync's delete on the old host does)."""
    if meeting.host_connection_id is None or not meeting.host_user_key:
        raise StartRefused(StartRefusal(NO_HOST, "Rendez does not know who hosts this meeting."))
    current = get_provider(meeting.provider).host_for(appointment.staff)
    if current is not None and current.hosts_same_user_as(meeting.provider, meeting.host_user_key):
        host = current
    else:
        host = HostRef.recorded(
            meeting.provider,
            meeting.host_connection_id,
            meeting.host_user_key,
            account_id=meeting.host_account_id,
            tenant_id=meeting.tenant_id,
            email=meeting.host_email,
        )
    if not host.usable:
        raise StartRefused(
            StartRefusal(
                HOST_UNUSABLE,
                f"{appointment.staff.name}'s {meeting.provider.title()} connection no longer works: "
                f"reconnect it before starting the meeting.",
            )
        )
    return host
