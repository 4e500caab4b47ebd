"""The port between the meeting lifecycle and a video vendor: six meeting calls and two questions (is the
integration on for this tenant, who hosts for this staff member), typed values, errors that say whether trying
again can help.

The core speaks only these types; `integrations/<vendor>/provider.py` turns them into the vendor's HTTP calls
and its answers back into them. Providers are found by name through `CONFERENCING_PROVIDERS`, a mapping of
name to dotted path, so the core never imports vendor code (DESIGN.md section 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from rendez.scheduling.models import Staff
    from rendez.tenants.models import Tenant

# Per-service meeting options (DESIGN.md section 9, `meeting_options`). None = the host's default, and such an
# option is never sent, so the host's own choice (or its account's lock) stands.
MEETING_OPTIONS = frozenset({"waiting_room", "join_before_host", "mute_upon_entry", "auto_recording"})

OptionValue = bool | str | None


@dataclass(frozen=True)
class HostRef:
    """Who hosts: a user of the vendor, reached through one of our connections.

    `user_key` is the vendor's id of the hosting user, never an alias such as Zoom's `me`: it is what decides
    whether a meeting must move to another host. `connection_id` only says which credentials to call with;
    a reconnect may change it while the host stays the same person.
    """

    provider: str
    connection_id: int
    user_key: str
    account_id: str
    usable: bool
    # Whose business it is: a host whose connection is gone may still be reached through another connection
    # of the same tenant that reaches the same user (a reconnect, the business's account).
    tenant_id: int = 0
    # The user's address, to name the host to people ("left on Zoom user maria@...").
    email: str = ""

    def hosts_same_user_as(self, provider: str, user_key: str) -> bool:
        return bool(user_key) and self.provider == provider and self.user_key == user_key

    @classmethod
    def recorded(
        cls,
        provider: str,
        connection_id: int | None,
        user_key: str,
        *,
        account_id: str = "",
        tenant_id: int = 0,
        email: str = "",
    ) -> HostRef:
        """The host a meeting was made with, as recorded beside it (a meeting, a retired meeting): taken as
        usable, because whether its connection still works only the provider can tell (it answers
        HostUnusable if not)."""
        return cls(
            provider=provider,
            connection_id=connection_id or 0,
            user_key=user_key,
            account_id=account_id,
            usable=True,
            tenant_id=tenant_id,
            email=email,
        )


def _check_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


def _check_zone(name: str, value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{name} must be an IANA time zone, got {value!r}") from error


def _check_options(options: Mapping[str, OptionValue]) -> None:
    if unknown := set(options) - MEETING_OPTIONS:
        raise ValueError(f"unknown meeting options {sorted(unknown)}; known: {sorted(MEETING_OPTIONS)}")


@dataclass(frozen=True)
class Integration:
    """A tenant's settings for one vendor: whether new meetings are made, and how they are named."""

    enabled: bool
    topic_template: str
    description_template: str
    random_password: bool


@dataclass(frozen=True)
class MeetingSpec:
    """The meeting to make. `start` is stored in UTC; `timezone` is the host's zone for the vendor's display.
    `random_password`: a random passcode the host's account accepts (the provider knows its rules); else none
    is sent, and the vendor may still set one (Zoom does when the account requires it). `settings`: meeting
    options, each None = the host's default."""

    topic: str
    agenda: str
    start: datetime
    duration_minutes: int
    timezone: str
    random_password: bool = False
    settings: Mapping[str, OptionValue] = field(default_factory=dict)
    # Each attendee gets an own link (registration): the vendor sends attendees nothing itself.
    registration: bool = False
    # Rendez's name for what the meeting is for (the appointment's id): a provider that can tag its meeting
    # with it (Google: a private extended property) finds a meeting whose create answer was lost by it.
    reference: str = ""

    def __post_init__(self) -> None:
        _check_aware("start", self.start)
        _check_zone("timezone", self.timezone)
        _check_options(self.settings)
        if self.duration_minutes <= 0:
            raise ValueError(f"duration_minutes must be positive, got {self.duration_minutes}")
        object.__setattr__(self, "start", self.start.astimezone(UTC))

    @property
    def chosen_settings(self) -> dict[str, bool | str]:
        """The options to send: only those the tenant set."""
        return {name: value for name, value in self.settings.items() if value is not None}


@dataclass(frozen=True)
class MeetingInfo:
    """A meeting as the vendor reports it. `password` is the one the vendor kept, which is the one to send."""

    external_id: str
    join_url: str
    password: str
    host_id: str
    start: datetime
    duration_minutes: int
    timezone: str
    topic: str
    # Whether the meeting requires registration as the vendor made it (a host who cannot use it gets none).
    registration: bool = False


@dataclass(frozen=True)
class Attendee:
    """A person to register for a meeting with registration: one booking's customer."""

    email: str
    first_name: str
    last_name: str = ""

    @classmethod
    def named(cls, email: str, name: str) -> Attendee:
        first, _, last = name.strip().partition(" ")
        return cls(email=email.strip(), first_name=first or email.split("@")[0], last_name=last.strip())


@dataclass(frozen=True)
class RegistrantInfo:
    """A registration as the vendor has it. `approved`: the link lets the person in."""

    registrant_id: str
    join_url: str
    email: str
    approved: bool = True


@dataclass(frozen=True)
class MeetingChanges:
    """What an update sends; None = unchanged, left out of the request (a host's daily quota is precious)."""

    start: datetime | None = None
    duration_minutes: int | None = None
    timezone: str | None = None
    topic: str | None = None
    agenda: str | None = None
    # False: stop requiring registration (everyone falls back to the shared link, which must let them in).
    registration: bool | None = None

    def __post_init__(self) -> None:
        if self.start is not None:
            _check_aware("start", self.start)
            object.__setattr__(self, "start", self.start.astimezone(UTC))
        if self.timezone is not None:
            _check_zone("timezone", self.timezone)

    @property
    def changed(self) -> frozenset[str]:
        return frozenset(f.name for f in fields(self) if getattr(self, f.name) is not None)

    @property
    def is_empty(self) -> bool:
        return not self.changed


class ProviderError(Exception):
    """A call the vendor did not carry out. `retryable`: the same call may succeed later, after `retry_after`
    seconds when known. `reason` is for people (a panel, an email to an admin) and never carries a secret."""

    retryable = False

    def __init__(self, reason: str, *, retryable: bool | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        if retryable is not None:
            self.retryable = retryable


class MeetingGone(ProviderError):
    """The meeting does not exist on the vendor (Zoom: 404 or code 3001), deleted there or expired."""


class HostUnusable(ProviderError):
    """The host's connection no longer works (revoked, expired grant): someone must reconnect it."""


class RegistrationRefused(ProviderError):
    """The meeting or its host cannot use registration (Zoom: a Basic user, a meeting on the Personal Meeting
    ID, registration not enabled, a permission the app lacks): attendees share the meeting's link."""


class DailyLimitReached(ProviderError):
    """A per-day allowance of one call is spent (Zoom: a registrant's adds of the day): the call may succeed
    when the day turns, after `retry_after` seconds. Waiting for that is not a failure of the job, however
    near the turn of the day is."""

    retryable = True


class QuotaExhausted(ProviderError):
    """The host's daily allowance is spent; `retry_after` says when the next one starts."""

    retryable = True

    def __init__(self, reason: str, *, retry_after: float):
        super().__init__(reason, retry_after=retry_after)


@runtime_checkable
class MeetingProvider(Protocol):
    """A video vendor. Every method raises `ProviderError` (or a subclass) for anything but success."""

    def create(self, host: HostRef, spec: MeetingSpec, *, attempt_started_at: datetime) -> MeetingInfo:
        """Make the meeting. `attempt_started_at` is when the caller recorded this attempt, before calling:
        a caller that never heard back passes it to `find` as `created_after`."""
        ...

    def update(self, host: HostRef, external_id: str, changes: MeetingChanges) -> None:
        """Send only the fields in `changes`. Raises `MeetingGone` when the meeting no longer exists."""
        ...

    def delete(self, host: HostRef, external_id: str) -> None:
        """Remove the meeting. A meeting that is not found counts as deleted: this returns normally."""
        ...

    def get(self, host: HostRef, external_id: str) -> MeetingInfo:
        """The meeting as the vendor has it now. Raises `MeetingGone` when it no longer exists: the check a
        reconnect makes instead of trusting the record."""
        ...

    def find(self, host: HostRef, spec: MeetingSpec, created_after: datetime) -> MeetingInfo | None:
        """The host's upcoming meeting matching `spec` (start and topic) made after `created_after`, if any:
        the adoption of a meeting whose create response was lost."""
        ...

    def start_url(self, host: HostRef, external_id: str) -> str:
        """A fresh link that starts the meeting as its host. Short-lived: fetch it when the host clicks."""
        ...

    def integration(self, tenant: Tenant) -> Integration:
        """The tenant's settings for this vendor (defaults, integration off, when it never saved any)."""
        ...

    def host_for(self, staff: Staff) -> HostRef | None:
        """Who hosts `staff`'s meetings, or None. A broken connection answers with `usable` False."""
        ...


@runtime_checkable
class RegistrantProvider(Protocol):
    """A vendor whose meetings can give each attendee an own link (registration). Optional: a provider
    without it gives everyone the meeting's link."""

    def register(self, host: HostRef, external_id: str, attendee: Attendee) -> RegistrantInfo:
        """Add the attendee once. Vendors limit adds per person (Zoom: 3 a day), so a caller that may have
        added them before (an answer lost) calls `find_registrant` first."""
        ...

    def find_registrant(self, host: HostRef, external_id: str, email: str) -> RegistrantInfo | None:
        """The registration of `email` on the meeting (approved or not), or None."""
        ...

    def approve_registrant(self, host: HostRef, external_id: str, registrant: RegistrantInfo) -> None:
        """Let a cancelled or pending registrant in again (one status change)."""
        ...

    def cancel_registrant(self, host: HostRef, external_id: str, registrant: RegistrantInfo) -> None:
        """Cancel the registration: that person's link stops working, the others keep theirs. A meeting or
        registrant that is gone counts as done."""
        ...


def provider_names() -> list[str]:
    return sorted(_configured())


def get_provider(name: str) -> MeetingProvider:
    """The provider registered as `name`, imported on first use. Misconfiguration is ImproperlyConfigured,
    naming the setting, so a typo shows up as what it is rather than as a failed meeting."""
    configured = _configured()
    if name not in configured:
        known = ", ".join(sorted(configured)) or "none"
        raise ImproperlyConfigured(
            f"No meeting provider named {name!r}: CONFERENCING_PROVIDERS registers {known}."
        )
    path = configured[name]
    try:
        factory = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(
            f"CONFERENCING_PROVIDERS[{name!r}] = {path!r} cannot be imported: {error}"
        ) from error
    provider = factory()
    if not isinstance(provider, MeetingProvider):
        raise ImproperlyConfigured(
            f"CONFERENCING_PROVIDERS[{name!r}] = {path!r} is not a MeetingProvider "
            "(it needs create, update, delete, get, find, start_url, integration and host_for)."
        )
    return provider


def _configured() -> Mapping[str, str]:
    return getattr(settings, "CONFERENCING_PROVIDERS", {})
