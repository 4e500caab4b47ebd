"""What conferencing announces (`jobs.announce`) for others to subscribe to; it knows none of them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MeetingLinkReady:
    """The appointment's meeting is ready, or the link people hold changed (a new meeting, registrant links):
    messages waiting for it can go, and people who were sent another link (or none) need this one."""

    appointment_id: int
    tenant_id: int
    # The tenant's `Tenant.has_calendars` as the sync read it (None: not read, "may have").
    has_calendars: bool | None = None
