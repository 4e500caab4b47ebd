"""What the API shows of an appointment's video meeting (in bookings and appointments)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

# docs/integrations/zoom.md, "When things change", says what each means.
MeetingState = Literal[
    "pending", "retrying", "ready", "failed", "deleting", "deleted", "left_on_zoom", "unmanaged"
]


class MeetingChangedElsewhereOut(Schema):
    start: datetime = Field(description="The start the provider has")
    duration_minutes: int = Field(description="The duration the provider has")
    changed_at: datetime | None = Field(description="When the provider reported the change")


class MeetingOut(Schema):
    """An appointment's video meeting as its guests may see it; never the host's start link."""

    provider: str
    state: MeetingState = Field(
        description=(
            "pending: being made, or replaced after a move to another staff member; retrying: the "
            "provider failed and Rendez tries again at `next_attempt_at` (`last_error` says why); "
            "ready: live, in step; failed: a person must act (`last_error` says what); deleting: nobody "
            "holds a seat, the delete follows; deleted: gone from the provider; left_on_zoom: should be "
            "deleted but its host cannot be reached (`last_error` names the user); unmanaged: not changed "
            "by Rendez"
        )
    )
    meeting_id: str | None = Field(description="The provider's meeting id (Zoom's are 64-bit: kept as text)")
    join_url: str | None = Field(description="The guests' link; null until the meeting is ready")
    password: str | None = Field(description="The passcode the provider kept; null when there is none")
    last_error: str | None = Field(description="Why the last attempt to make or change the meeting failed")
    next_attempt_at: datetime | None = Field(
        None, description="While `retrying`: when Rendez tries again; null otherwise"
    )
    changed_elsewhere: MeetingChangedElsewhereOut | None = Field(
        None,
        description=(
            "The time the provider has for the meeting after someone (its host) changed it there, when it "
            "differs from the appointment's; null otherwise. Rendez does not move it back until the "
            "appointment itself changes."
        ),
    )
