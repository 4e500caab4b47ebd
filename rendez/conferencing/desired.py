"""What an appointment's video meeting should be, and the one step that gets it there: pure functions, no
database.

`decide()` reads a snapshot of the appointment and of its meeting record and returns one action, following
the table of DESIGN.md section 5. A meeting is owed when the plan has `zoom`, the integration is enabled, the
service has video, the staff member has a usable host, at least one seat is in an owed status, and the
appointment is not over. Whatever is off, nothing new is made and an existing meeting is left alone; only a
meeting nobody is owed any more is deleted, and never one that took place. Sync runs after every change
(level-triggered), so an action that was skipped is taken by the next sync that finds it still needed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from rendez.conferencing.port import HostRef, MeetingChanges, MeetingSpec, OptionValue

# Booking statuses (scheduling.models.Booking.Status) and meeting states (conferencing.models.Meeting.State),
# spelled out so this module needs no models.
CONFIRMED = "confirmed"
PENDING = "pending"
TOOK_PLACE = frozenset({"completed", "no_show"})

STATE_PENDING = "pending"
STATE_RETRYING = "retrying"
STATE_READY = "ready"
STATE_FAILED = "failed"
STATE_DELETED = "deleted"
STATE_LEFT_ON_ZOOM = "left_on_zoom"
STATE_UNMANAGED = "unmanaged"
# States of a record whose create may have reached the provider without our hearing back.
ATTEMPTING = frozenset({STATE_PENDING, STATE_RETRYING})

PROVIDER_LABELS = {"zoom": "Zoom", "google_meet": "Google Meet", "teams": "Microsoft Teams"}
# What a staff member without a usable host must do, per provider.
HOST_HELP = {
    "zoom": "connect their Zoom account or map them to a Zoom user",
    "google_meet": "connect their Google Calendar (Google Meet meetings are made on it)",
    "teams": "connect their Microsoft 365 calendar",
}


@dataclass(frozen=True)
class AppointmentSnapshot:
    """Everything the decision needs about one appointment, read in one go.

    `timezone` is the staff member's zone, which the meeting is shown in. `topic` and `agenda` are the
    tenant's templates rendered for this appointment now: used when a meeting is made or its service changes,
    never compared with the meeting's, so a template edit leaves existing meetings as they are.
    """

    appointment_id: int
    start: datetime
    end: datetime
    timezone: str
    staff_id: int
    service_id: int
    service_name: str
    # The service chose this provider for its meetings (`Service.video_provider`). A service on a provider
    # not implemented here gets none: the sync asks only providers that are.
    service_uses_provider: bool
    plan_has_zoom: bool
    integration_enabled: bool
    meetings_for_pending: bool
    seat_statuses: tuple[str, ...]
    host: HostRef | None
    now: datetime
    topic: str = ""
    agenda: str = ""
    # The provider asked (conferencing/choice.py: the service's own, or its fallback), for the reasons said.
    provider: str = "zoom"

    @property
    def provider_label(self) -> str:
        return PROVIDER_LABELS.get(self.provider, self.provider)

    @property
    def duration_minutes(self) -> int:
        # Rounded up: a meeting never ends before its appointment.
        return math.ceil((self.end - self.start).total_seconds() / 60)

    @property
    def owed_statuses(self) -> frozenset[str]:
        return frozenset({CONFIRMED, PENDING}) if self.meetings_for_pending else frozenset({CONFIRMED})

    @property
    def seat_owed(self) -> bool:
        return any(status in self.owed_statuses for status in self.seat_statuses)

    @property
    def took_place(self) -> bool:
        return any(status in TOOK_PLACE for status in self.seat_statuses)

    @property
    def is_over(self) -> bool:
        return self.now >= self.end


@dataclass(frozen=True)
class MeetingState:
    """The meeting record as last written: what the provider was last told, and on which host.

    `attempt_started_at` is set while a create is unfinished: a meeting may exist that we never heard of.
    The host fields are written with the attempt, before the call, so such a meeting can be found later.
    """

    state: str
    provider: str
    external_id: str
    host_connection_id: int | None
    host_user_key: str
    start: datetime | None
    duration_minutes: int | None
    timezone: str
    service_id: int | None
    topic: str
    attempt_started_at: datetime | None = None
    # The staff member it was made for (None: recorded before Rendez kept it).
    staff_id: int | None = None

    @property
    def exists(self) -> bool:
        """Whether a meeting is known to exist on the provider."""
        return bool(self.external_id) and self.state != STATE_DELETED

    @property
    def may_exist(self) -> bool:
        """Known to exist, or made by a create whose answer was lost."""
        return self.exists or (self.state in ATTEMPTING and self.attempt_started_at is not None)

    def made_for_other_staff(self, staff_id: int) -> bool:
        return self.staff_id is not None and self.staff_id != staff_id


@dataclass(frozen=True)
class Create:
    """Make the meeting on `host`; adopt the one an unfinished attempt may have made instead, if found."""

    host: HostRef


@dataclass(frozen=True)
class Update:
    host: HostRef
    external_id: str
    changes: MeetingChanges


@dataclass(frozen=True)
class Replace:
    """The host changed: delete `old` on its own host (reached through its connection; found first when it has
    no external id), then create on `host`."""

    old: MeetingState
    host: HostRef


@dataclass(frozen=True)
class Delete:
    """Remove `old` from its host. Without an external id, it is the meeting an unfinished attempt made:
    find it first. `then`: why no new meeting follows although a seat is owed (the appointment moved to a
    staff member who cannot host), for the record to say."""

    old: MeetingState
    then: Nothing | None = None


@dataclass(frozen=True)
class Nothing:
    """No call to make, and why. `code` is stable; `message` is for the people looking at the appointment."""

    code: str
    message: str


Action = Create | Update | Replace | Delete | Nothing


def usable_host(snapshot: AppointmentSnapshot) -> HostRef | Nothing:
    """The host to call, or why no call may be made for this appointment at all."""
    if not snapshot.plan_has_zoom:
        return Nothing("plan_without_zoom", "The business's plan does not include video meetings.")
    if not snapshot.integration_enabled:
        return Nothing("integration_disabled", f"The {snapshot.provider_label} integration is turned off.")
    if not snapshot.service_uses_provider:
        return Nothing("service_without_zoom", f"{snapshot.service_name} does not use video meetings.")
    if snapshot.host is None:
        return Nothing(
            "no_host",
            f"The staff member has no {snapshot.provider_label} host: "
            f"{HOST_HELP.get(snapshot.provider, 'connect their account')}.",
        )
    if not snapshot.host.usable:
        return Nothing(
            "host_unusable", f"The staff member's {snapshot.provider_label} connection must be reconnected."
        )
    return snapshot.host


def _not_owed(snapshot: AppointmentSnapshot) -> Nothing:
    if PENDING in snapshot.seat_statuses and not snapshot.meetings_for_pending:
        return Nothing("awaiting_approval", "The meeting is made when a booking is confirmed.")
    return Nothing("not_owed", "No booking of this appointment needs a meeting.")


def changes_for(snapshot: AppointmentSnapshot, meeting: MeetingState) -> MeetingChanges:
    """Only what differs. Topic and agenda follow a change of service, and nothing else. A new start goes with
    the zone it is shown in (DESIGN.md section 7: UTC with `Z` plus the staff member's zone)."""
    service_changed = meeting.service_id != snapshot.service_id
    start_changed = meeting.start != snapshot.start
    return MeetingChanges(
        start=snapshot.start if start_changed else None,
        duration_minutes=(
            snapshot.duration_minutes if meeting.duration_minutes != snapshot.duration_minutes else None
        ),
        timezone=snapshot.timezone if start_changed or meeting.timezone != snapshot.timezone else None,
        topic=snapshot.topic if service_changed else None,
        agenda=snapshot.agenda if service_changed else None,
    )


def decide(snapshot: AppointmentSnapshot, meeting: MeetingState | None) -> Action:
    """The one step that moves the provider toward what `snapshot` calls for."""
    if meeting is not None and meeting.state == STATE_UNMANAGED:
        return Nothing("unmanaged", "This meeting is not managed by Rendez.")
    # After the end a meeting in use must not vanish, and a new one would come too late.
    if snapshot.is_over:
        return Nothing("appointment_over", "The appointment has ended.")
    if meeting is not None and meeting.may_exist and not snapshot.seat_owed:
        # Nobody is owed it: it goes whatever else is off (a disconnected host, the integration turned off):
        # deleted where its host can still be reached, recorded as left on the provider where not.
        if snapshot.took_place:
            return Nothing("took_place", "The meeting took place: it is kept.")
        return Delete(meeting)
    host = usable_host(snapshot)
    if isinstance(host, Nothing):
        if meeting is not None and meeting.may_exist and _belongs_elsewhere(snapshot, meeting):
            # Made for the staff member or the video service the appointment had: its link must not stay in
            # people's hands (turning a service's video off, by contrast, leaves its meetings be).
            return Delete(meeting, then=host)
        return host

    if meeting is None or not meeting.may_exist:
        return Create(host) if snapshot.seat_owed else _not_owed(snapshot)
    if not host.hosts_same_user_as(meeting.provider, meeting.host_user_key):
        return Replace(meeting, host)
    if not meeting.exists:
        # An unfinished attempt on this host may have made it: the create adopts that one if it finds it.
        return Create(host)
    changes = changes_for(snapshot, meeting)
    if changes.is_empty:
        return Nothing("in_step", "The meeting matches the appointment.")
    return Update(host, meeting.external_id, changes)


def _belongs_elsewhere(snapshot: AppointmentSnapshot, meeting: MeetingState) -> bool:
    if meeting.made_for_other_staff(snapshot.staff_id):
        return True
    moved_off_video = not snapshot.service_uses_provider and meeting.service_id not in (
        None,
        snapshot.service_id,
    )
    return moved_off_video


def spec_for(
    snapshot: AppointmentSnapshot,
    *,
    random_password: bool,
    settings: Mapping[str, OptionValue],
    registration: bool = False,
) -> MeetingSpec:
    """The meeting a `Create` or `Replace` makes; the password and options come from the host's rules."""
    return MeetingSpec(
        topic=snapshot.topic,
        agenda=snapshot.agenda,
        start=snapshot.start,
        duration_minutes=snapshot.duration_minutes,
        timezone=snapshot.timezone,
        random_password=random_password,
        settings=settings,
        registration=registration,
        reference=str(snapshot.appointment_id),
    )
