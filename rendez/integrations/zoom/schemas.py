"""Zoom's payloads as typed objects, parsed at the boundary (zoom-api.md sections 1-6).

Nothing outside this module walks Zoom JSON as nested dicts. Unknown fields are ignored (Zoom adds fields
freely); missing required ones, or ones of the wrong type, raise `pydantic.ValidationError`, which the client
turns into a `ZoomResponseError`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rendez.integrations.oauth.provider import TokenGrant as OAuthTokenGrant


class ZoomModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# --- OAuth --------------------------------------------------------------------------------------------------


class TokenGrant(OAuthTokenGrant):
    """The answer of `/oauth/token` to any grant (§1.4); S2S grants have no refresh token (§2)."""

    api_url: str | None = None


# --- REST errors --------------------------------------------------------------------------------------------


class FieldError(ZoomModel):
    field: str = ""
    message: str = ""


class ApiErrorBody(ZoomModel):
    """`{"code", "message", "errors"?}` (§3.6), from JSON or from Zoom's XML variant."""

    code: int | None = None
    message: str = ""
    errors: list[FieldError] = []

    @field_validator("code", mode="before")
    @classmethod
    def _numeric_code(cls, value: Any) -> int | None:
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None


# --- users --------------------------------------------------------------------------------------------------


class ZoomUser(ZoomModel):
    """A user of `GET /users` (pending users have no id, §4.1) or `GET /users/{id}` / `me` (§4.2)."""

    id: str | None = None
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    type: int | None = None
    status: str = ""
    timezone: str = ""
    account_id: str = ""

    @property
    def name(self) -> str:
        return self.display_name or f"{self.first_name} {self.last_name}".strip() or self.email


class Me(ZoomUser):
    """`GET /users/me`: the identity of the user who authorized; id and account id are what we key on."""

    id: str = Field(min_length=1)  # type: ignore[assignment]


class UserPage(ZoomModel):
    users: list[ZoomUser] = []
    next_page_token: str = ""
    total_records: int | None = None

    @field_validator("next_page_token", mode="before")
    @classmethod
    def _none_is_last(cls, value: Any) -> str:
        return value or ""


class PasswordRequirement(ZoomModel):
    """`schedule_meeting.meeting_password_requirement` (§4.3)."""

    length: int = 0
    have_letter: bool = False
    have_number: bool = False
    have_special_character: bool = False
    only_allow_numeric: bool = False
    have_upper_and_lower_characters: bool = False
    consecutive_characters_length: int = 0
    weak_enhance_detection: bool = False


class ScheduleMeetingSettings(ZoomModel):
    meeting_password_requirement: PasswordRequirement = PasswordRequirement()
    require_password_for_scheduling_new_meetings: bool | None = None
    embed_password_in_join_link: bool | None = None
    join_before_host: bool | None = None


class InMeetingSettings(ZoomModel):
    waiting_room: bool | None = None


class UserSettings(ZoomModel):
    schedule_meeting: ScheduleMeetingSettings = ScheduleMeetingSettings()
    in_meeting: InMeetingSettings = InMeetingSettings()


# --- events -------------------------------------------------------------------------------------------------


class EventEnvelope(ZoomModel):
    """`{"event", "event_ts", "payload"}` (§6.1). `event_ts` is milliseconds; `app_deauthorized` also puts
    one, sometimes as text, inside its payload (§6.7), so it is optional here."""

    event: str = Field(min_length=1, max_length=100)
    event_ts: int | None = None
    payload: dict[str, Any] = {}

    @field_validator("event_ts", mode="before")
    @classmethod
    def _lenient_ts(cls, value: Any) -> int | None:
        try:
            return int(value)
        except (TypeError, ValueError):
            return None


class UrlValidation(ZoomModel):
    plainToken: str = Field(min_length=1, max_length=500)  # noqa: N815 - Zoom's spelling


class AppDeauthorized(ZoomModel):
    account_id: str = Field(min_length=1)
    user_id: str = ""
    client_id: str = ""
    signature: str = ""
    deauthorization_time: str = ""


class MeetingObject(ZoomModel):
    """The meeting of a `meeting.*` event. In `meeting.updated` it holds only the changed fields plus `id`
    (§6.6), so every field but `id` may be missing: None then means "not changed"."""

    id: str
    uuid: str = ""
    host_id: str = ""
    topic: str = ""
    # UTC with `Z`; absent for recurring meetings without a fixed time.
    start_time: datetime | None = None
    duration: int | None = Field(default=None, ge=0)
    timezone: str = ""

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> str:
        # Meeting ids are int64 and may arrive as number or string (§6.6).
        return str(value)


class MeetingEventPayload(ZoomModel):
    """`meeting.created` / `meeting.updated` / `meeting.deleted` (§6.6). `operator` is who made the change, as
    Zoom names them: with a staff member's own connection that is the host for our API calls too."""

    account_id: str = ""
    operator: str = ""
    operator_id: str = ""
    object: MeetingObject
    old_object: MeetingObject | None = None
    # Milliseconds; `meeting.updated` only.
    time_stamp: int | None = None


# --- meetings -----------------------------------------------------------------------------------------------


def _text_id(value: Any) -> str:
    # Meeting ids are int64 (§3, P15): kept as text, never as a float.
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValueError("a meeting id is a number")
    return str(value)


class MeetingSettings(ZoomModel):
    # 0 automatic, 1 manual approval, 2 no registration (§3.1); Zoom keeps 2 for hosts that cannot use it.
    approval_type: int = 2


class ZoomMeeting(ZoomModel):
    """The 201 of `POST /users/{userId}/meetings` and the 200 of `GET /meetings/{meetingId}` (§3.1, §3.2).

    `start_url` is read (it is what `GET` is called for when a host starts the meeting) and never kept."""

    id: str
    host_id: str = ""
    topic: str = ""
    start_time: datetime
    duration: int = Field(ge=0)
    timezone: str = ""
    join_url: str = Field(min_length=1)
    # Paid accounts may have none (P6).
    password: str = ""
    start_url: str = ""
    created_at: datetime | None = None
    settings: MeetingSettings = MeetingSettings()

    _id_as_text = field_validator("id", mode="before")(_text_id)

    @property
    def requires_registration(self) -> bool:
        return self.settings.approval_type in (0, 1)


class MeetingListEntry(ZoomModel):
    """One of `GET /users/{userId}/meetings` `meetings[]` (§3.5): no password, no start URL."""

    id: str
    topic: str = ""
    # Absent for recurring meetings without a fixed time (type 3).
    start_time: datetime | None = None
    created_at: datetime | None = None

    _id_as_text = field_validator("id", mode="before")(_text_id)


class MeetingPage(ZoomModel):
    meetings: list[MeetingListEntry] = []
    next_page_token: str = ""

    @field_validator("next_page_token", mode="before")
    @classmethod
    def _none_is_last(cls, value: Any) -> str:
        return value or ""


class LockedScheduling(ZoomModel):
    join_before_host: bool = False


class LockedRecording(ZoomModel):
    auto_recording: bool = False


class LockSettings(ZoomModel):
    """`GET /accounts/{accountId}/lock_settings`: true = locked for every user of the account."""

    schedule_meeting: LockedScheduling = LockedScheduling()
    recording: LockedRecording = LockedRecording()


class LockedSecurity(ZoomModel):
    waiting_room: bool = False


class SecurityLockSettings(ZoomModel):
    """The same with `?option=meeting_security`, where the waiting room's lock is told."""

    meeting_security: LockedSecurity = LockedSecurity()


# --- registrants (docs/integrations/zoom-registrants.md) ---------------------------------------------------


class AddedRegistrant(ZoomModel):
    """The 201 of `POST /meetings/{meetingId}/registrants`: the person's own link."""

    registrant_id: str = Field(min_length=1)
    join_url: str = Field(min_length=1)
    id: str = ""
    topic: str = ""

    @field_validator("id", mode="before")
    @classmethod
    def _meeting_id_as_text(cls, value: Any) -> str:
        return "" if value is None else str(value)


class ListedRegistrant(ZoomModel):
    """One of `GET /meetings/{meetingId}/registrants` `registrants[]`."""

    id: str = Field(min_length=1)
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    status: str = ""
    join_url: str = ""


class RegistrantPage(ZoomModel):
    registrants: list[ListedRegistrant] = []
    next_page_token: str = ""

    @field_validator("next_page_token", mode="before")
    @classmethod
    def _none_is_last(cls, value: Any) -> str:
        return value or ""


class RegistrantObject(ZoomModel):
    id: str = ""
    email: str = ""
    status: str = ""
    join_url: str = ""


class RegistrationObject(MeetingObject):
    registrant: RegistrantObject = RegistrantObject()


class RegistrationEventPayload(ZoomModel):
    """`meeting.registration_created` / `_approved` / `_cancelled` / `_denied`."""

    account_id: str = ""
    operator: str = ""
    operator_id: str = ""
    object: RegistrationObject
