"""Which provider makes an appointment's meeting: the service's own, or the fallback the tenant chose for it.

A service names a provider (`Service.video_provider`) and optionally a fallback
(`fallback_video_provider`, issue 18: "when the chosen provider is not connected or fails past its retries,
the tenant may choose a fallback provider"). Only providers registered in `CONFERENCING_PROVIDERS` count; a
service naming none of them keeps the old rule (the record's provider, else Zoom), so `decide()` explains
why nothing is made.

The rule, in order:
1. A live meeting (or an unfinished create) on one of the service's providers whose staff member still has a
   usable host there stays there: its link is the one people hold, and a change of link costs everyone a
   message. (Turning that integration off leaves such meetings be, as it always did.)
2. Else the first of (provider, fallback) that can host now: the plan has video, the integration is on and
   the staff member has a usable host.
3. Else the service's own provider, whose `decide()` then says why nothing can be made (no host, ...).

The other half of the fallback, a create that failed past its retries on the service's own provider, is
reconcile.py's (`_fallback_after_failure`): it asks `fallback_for` here.
"""

from __future__ import annotations

from dataclasses import dataclass

from rendez.conferencing.models import Meeting
from rendez.conferencing.port import HostRef, Integration, MeetingProvider, get_provider, provider_names
from rendez.scheduling.models import Appointment, Service, Staff

DEFAULT_PROVIDER = "zoom"
# The plan capability that includes video meetings, whatever the provider (its historical name).
VIDEO_CAPABILITY = "zoom"
# Record states whose meeting people may hold (or may exist unheard of, for an unfinished create).
LIVE_STATES = frozenset(
    {Meeting.State.PENDING, Meeting.State.RETRYING, Meeting.State.READY, Meeting.State.LEFT_ON_ZOOM}
)


@dataclass(frozen=True)
class Choice:
    """A provider asked about one staff member: its integration and host as they are now."""

    name: str
    provider: MeetingProvider
    integration: Integration
    host: HostRef | None
    # Chosen as the service's fallback, not its own provider.
    fallback: bool = False

    @property
    def has_host(self) -> bool:
        """The integration is on and the staff member has a usable host."""
        return self.integration.enabled and self.host is not None and self.host.usable

    def can_host(self, service: Service) -> bool:
        return service.tenant.has_capability(VIDEO_CAPABILITY) and self.has_host


def providers_of(service: Service) -> list[str]:
    """The service's provider and fallback, in that order, those implemented here only."""
    registered = set(provider_names())
    names: list[str] = []
    for name in (service.video_provider, service.fallback_video_provider):
        if name and name in registered and name not in names:
            names.append(name)
    return names


def makes_meetings(service: Service) -> bool:
    """Whether bookings of `service` get a video meeting from a provider implemented here."""
    return bool(providers_of(service))


def ask(name: str, service: Service, staff: Staff, *, fallback: bool = False) -> Choice:
    provider = get_provider(name)
    return Choice(name, provider, provider.integration(service.tenant), provider.host_for(staff), fallback)


def choose(service: Service, staff: Staff, meeting: Meeting | None) -> Choice:
    """The provider a sync of an appointment of `service` with `staff` works with (module docstring)."""
    names = providers_of(service)
    if not names:
        return ask(meeting.provider if meeting else DEFAULT_PROVIDER, service, staff)
    choices = [ask(name, service, staff, fallback=index > 0) for index, name in enumerate(names)]
    if meeting is not None and _live(meeting):
        for choice in choices:
            # The host alone decides: an integration turned off (or a plan without video) leaves the
            # meetings it made be, as ever; only a host that is gone moves them to the fallback.
            if choice.name == meeting.provider and choice.host is not None and choice.host.usable:
                return choice
    for choice in choices:
        if choice.can_host(service):
            return choice
    return choices[0]


def fallback_for(service: Service, staff: Staff, failed: str) -> Choice | None:
    """The service's fallback when its own provider `failed` past its retries, if the staff member can
    host there now."""
    names = providers_of(service)
    if len(names) < 2 or names[0] != failed:
        return None
    choice = ask(names[1], service, staff, fallback=True)
    return choice if choice.can_host(service) else None


def able_to_host(service: Service, staff: Staff) -> bool:
    """Whether `staff` can host a meeting of `service` now on its provider or its fallback."""
    return any(ask(name, service, staff).has_host for name in providers_of(service))


def _live(meeting: Meeting) -> bool:
    return meeting.state in LIVE_STATES and bool(meeting.external_id or meeting.attempt_started_at)


@dataclass(frozen=True)
class Carrier:
    """Where an appointment's meeting is, or is about to be, made: its provider and our host connection."""

    provider: str
    connection_id: int | None


def meeting_carrier(appointment: Appointment) -> Carrier | None:
    """The live meeting's provider and host connection, else the ones the next sync would choose, else None.
    The calendar writer asks it: a Google Meet meeting is itself the appointment's calendar event."""
    meeting = Meeting.objects.filter(tenant_id=appointment.tenant_id, appointment_id=appointment.pk).first()
    if meeting is not None and _live(meeting):
        return Carrier(meeting.provider, meeting.host_connection_id)
    if not providers_of(appointment.service):
        return None
    chosen = choose(appointment.service, appointment.staff, meeting)
    if chosen.host is None or not chosen.can_host(appointment.service):
        return None
    return Carrier(chosen.name, chosen.host.connection_id)
