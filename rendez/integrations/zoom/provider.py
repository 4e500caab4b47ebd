"""Zoom as a `MeetingProvider` (conferencing/port.py): the port's calls as Zoom's REST calls (zoom-api.md §3),
Zoom's answers and errors back as the port's values and errors.

    POST   /users/{me|userId}/meetings      create (201, the meeting)
    PATCH  /meetings/{meetingId}            update, only the fields that changed (204)
    DELETE /meetings/{meetingId}            delete (204; 404/3001 counts as done)
    GET    /users/{me|userId}/meetings      find: `type=upcoming`, every page (adoption after a lost 201)
    GET    /meetings/{meetingId}            get (does it still exist?) and start_url: a fresh one each time,
                                            never stored (§3.7)
    GET    /users/{me|userId}/settings      the host's passcode rules, cached (below)

`me` with a personal (per-staff OAuth) connection, the Zoom user id with a tenant connection: a user-level
token must say `me` (§1.12, P17). Start times go as UTC with `Z`, seconds precision, plus the staff member's
IANA zone in `timezone` (DESIGN.md §7, P5).

**Host rules, cached.** A random passcode must satisfy the host's `meeting_password_requirement` (§4.3, P6),
and a chosen meeting option must not go against a setting the host's account has locked (DESIGN.md §5). Both
are read only when the create needs them and kept in Django's cache per connection and Zoom user for an hour
(settings change rarely; a MEDIUM call per create would waste the account's budget). A create that Zoom
refuses for the passcode drops the cached rules, reads them again and tries once more.

**Limits.** Every REST call waits its turn at the account's rate limiter (client.py); a create or update is
first counted against the host's 100 a day and refused past them without calling Zoom (ratelimit.py).

**Locks.** Zoom's user settings (`GET /users/{userId}/settings`, default or `option=meeting_security`) do not
say what is locked: only the account's `GET /accounts/{accountId}/lock_settings` does (`me` = the caller's
own account), with the waiting room's lock under `?option=meeting_security` and `join_before_host` and
`auto_recording` in the default shape; `mute_upon_entry` has no lock there, so it is always sent when chosen.
That endpoint needs `account:read:admin`, which per-staff tokens never have and Rendez's documented scopes do
not ask for; it is called only when the connection's granted scopes include it, and a refusal there is read
as "no lock known". Without lock information the chosen options are sent as chosen: Zoom then keeps the
locked value (§3.1, "Locked account settings also force values"), and the meeting Zoom reports is the truth.
The emulator implements no lock endpoint; the tests serve Zoom's documented shape in front of it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx2
from django.core.cache import cache

from rendez.conferencing.port import (
    Attendee,
    DailyLimitReached,
    HostRef,
    HostUnusable,
    Integration,
    MeetingChanges,
    MeetingGone,
    MeetingInfo,
    MeetingSpec,
    ProviderError,
    QuotaExhausted,
    RegistrantInfo,
    RegistrationRefused,
)
from rendez.integrations.zoom import hosts, passwords, ratelimit, tenant_settings
from rendez.integrations.zoom.client import ZoomClient
from rendez.integrations.zoom.errors import (
    ConnectionUnusable,
    ZoomAPIError,
    ZoomDailyCapReached,
    ZoomError,
    ZoomRegistrantCapReached,
)
from rendez.integrations.zoom.models import Connection, StaffMapping
from rendez.integrations.zoom.responses import parse_model, seconds_until_utc_midnight
from rendez.integrations.zoom.schemas import (
    AddedRegistrant,
    LockSettings,
    MeetingPage,
    PasswordRequirement,
    RegistrantPage,
    SecurityLockSettings,
    UserSettings,
    ZoomMeeting,
)

if TYPE_CHECKING:
    from rendez.scheduling.models import Staff
    from rendez.tenants.models import Tenant

logger = logging.getLogger("rendez.zoom")

PROVIDER = "zoom"
SCHEDULED = 2
TOPIC_MAX = tenant_settings.TOPIC_MAX
AGENDA_MAX = tenant_settings.AGENDA_MAX
HOST_RULES_TTL = 3600
MEETINGS_PAGE_SIZE = 300
# A safety stop for a server that keeps answering with a next page: 50 pages of 300 upcoming meetings.
MAX_MEETING_PAGES = 50
# Zoom's `created_at` is stamped by Zoom's clock, `created_after` by ours: a meeting created right after the
# attempt was recorded may look a little older than it.
CLOCK_SKEW = timedelta(minutes=1)
LOCK_SCOPE = "account:read:admin"
# The chosen option each lock of `lock_settings` stands for; `mute_upon_entry` has none (module docstring).
LOCKS = {"join_before_host", "auto_recording", "waiting_room"}
IN_USE_CODES = {3002: "it is in progress", 3007: "it has ended"}
# Registration with Rendez sending the only messages: automatic approval, no e-mails from Zoom.
REGISTRATION_SETTINGS: dict[str, bool | str | int] = {
    "approval_type": 0,
    "registrants_confirmation_email": False,
    "registrants_email_notification": False,
}
NO_REGISTRATION = 2
REGISTRANT_STATUSES = ("approved", "pending", "denied")
REGISTRANTS_PAGE_SIZE = 300
# 4,999 registrants a meeting at most: 17 pages of 300.
MAX_REGISTRANT_PAGES = 17
# Zoom's codes for "no registration here" (docs/integrations/zoom-registrants.md).
PAID_ONLY = 200
REGISTRATION_OFF = 404
FULL = 3043


@dataclass(frozen=True)
class HostRules:
    """What a host's account asks of new meetings: the passcode rules and the locked options."""

    requirement: PasswordRequirement
    locked: frozenset[str]

    def to_cache(self) -> dict[str, Any]:
        return {"requirement": self.requirement.model_dump(), "locked": sorted(self.locked)}

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> HostRules:
        return cls(PasswordRequirement.model_validate(data["requirement"]), frozenset(data["locked"]))


@dataclass(frozen=True)
class Caller:
    """A `HostRef` turned back into credentials: the connection to call with and the `{userId}` to say."""

    connection: Connection
    user_key: str
    who: str

    @property
    def user_path(self) -> str:
        return hosts.ME if self.connection.is_personal else self.user_key

    def client(self) -> ZoomClient:
        return ZoomClient(self.connection)

    def counted_write(self) -> AbstractContextManager[None]:
        """A meeting create or update, counted against the host's daily cap before it is sent."""
        return ratelimit.host_write(self.connection, self.user_key, who=self.who)


class ZoomProvider:
    """Registered in `CONFERENCING_PROVIDERS` as "zoom". Every method raises `ProviderError` or a subclass."""

    name = PROVIDER

    def create(self, host: HostRef, spec: MeetingSpec, *, attempt_started_at: datetime) -> MeetingInfo:
        caller = resolve(host)
        with provider_errors(caller, "make the meeting"):
            response = self._post_meeting(caller, spec, fresh_rules=False)
            return meeting_info(parse_model(ZoomMeeting, response))

    def update(self, host: HostRef, external_id: str, changes: MeetingChanges) -> None:
        if changes.is_empty:
            return
        caller = resolve(host)
        with provider_errors(caller, "update the meeting", external_id=external_id), caller.counted_write():
            caller.client().request(
                "PATCH", f"/meetings/{meeting_path(external_id)}", body=update_body(changes)
            )

    def delete(self, host: HostRef, external_id: str) -> None:
        caller = resolve(host)
        try:
            with provider_errors(caller, "delete the meeting", external_id=external_id):
                caller.client().request("DELETE", f"/meetings/{meeting_path(external_id)}")
        except MeetingGone:
            logger.info("zoom meeting %s was already gone when deleted", external_id)

    def get(self, host: HostRef, external_id: str) -> MeetingInfo:
        caller = resolve(host)
        with provider_errors(caller, "look up the meeting", external_id=external_id):
            path = f"/meetings/{meeting_path(external_id)}"
            return meeting_info(caller.client().get_model(path, ZoomMeeting))

    def find(self, host: HostRef, spec: MeetingSpec, created_after: datetime) -> MeetingInfo | None:
        caller = resolve(host)
        with provider_errors(caller, "look for the meeting"):
            found = _find_id(caller, spec, created_after)
            if found is None:
                return None
            # The list has no passcode: the meeting itself has.
            return meeting_info(caller.client().get_model(f"/meetings/{found}", ZoomMeeting))

    def start_url(self, host: HostRef, external_id: str) -> str:
        caller = resolve(host)
        with provider_errors(caller, "get the link that starts the meeting", external_id=external_id):
            meeting = caller.client().get_model(f"/meetings/{meeting_path(external_id)}", ZoomMeeting)
        if not meeting.start_url:
            raise ProviderError("Zoom did not give a link to start the meeting.", retryable=True)
        return meeting.start_url

    # --- registrants (RegistrantProvider) -------------------------------------------------------------------

    def register(self, host: HostRef, external_id: str, attendee: Attendee) -> RegistrantInfo:
        caller = resolve(host)
        body = {"email": attendee.email, "first_name": attendee.first_name, "last_name": attendee.last_name}
        with registrant_errors(caller, attendee.email, external_id):
            path = f"/meetings/{meeting_path(external_id)}/registrants"
            added = parse_model(AddedRegistrant, caller.client().request("POST", path, body=body))
        return RegistrantInfo(added.registrant_id, added.join_url, attendee.email)

    def find_registrant(self, host: HostRef, external_id: str, email: str) -> RegistrantInfo | None:
        caller = resolve(host)
        wanted = email.strip().lower()
        with registrant_errors(caller, email, external_id):
            for status in REGISTRANT_STATUSES:
                for page in _registrant_pages(caller, external_id, status):
                    for registrant in page.registrants:
                        if registrant.email.strip().lower() == wanted:
                            approved = registrant.status == "approved"
                            return RegistrantInfo(registrant.id, registrant.join_url, email, approved)
        return None

    def approve_registrant(self, host: HostRef, external_id: str, registrant: RegistrantInfo) -> None:
        self._set_status(host, external_id, registrant, "approve")

    def cancel_registrant(self, host: HostRef, external_id: str, registrant: RegistrantInfo) -> None:
        try:
            self._set_status(host, external_id, registrant, "cancel")
        except (MeetingGone, RegistrationRefused) as gone:
            logger.info("zoom registrant %s needs no cancel: %s", registrant.registrant_id, gone.reason)

    def _set_status(self, host: HostRef, external_id: str, registrant: RegistrantInfo, action: str) -> None:
        caller = resolve(host)
        body = {
            "action": action,
            "registrants": [{"id": registrant.registrant_id, "email": registrant.email}],
        }
        with registrant_errors(caller, registrant.email, external_id):
            path = f"/meetings/{meeting_path(external_id)}/registrants/status"
            caller.client().request("PUT", path, body=body)

    def integration(self, tenant: Tenant) -> Integration:
        saved = tenant_settings.settings_of(tenant)
        return Integration(
            enabled=saved.enabled,
            topic_template=saved.topic_template,
            description_template=saved.description_template,
            random_password=saved.random_password,
        )

    def host_for(self, staff: Staff) -> HostRef | None:
        host = hosts.host_for(staff)
        if host is None:
            return None
        return HostRef(
            provider=PROVIDER,
            connection_id=host.connection.pk,
            user_key=host.zoom_user_id,
            account_id=host.account_id,
            usable=host.usable,
            tenant_id=staff.tenant_id,
            email=host.email,
        )

    def _post_meeting(self, caller: Caller, spec: MeetingSpec, *, fresh_rules: bool) -> httpx2.Response:
        rules, cached = host_rules(caller, fresh=fresh_rules) if needs_rules(spec) else (None, False)
        body = create_body(spec, rules)
        try:
            with caller.counted_write():
                return caller.client().request("POST", f"/users/{caller.user_path}/meetings", body=body)
        except ZoomAPIError as error:
            # The account's passcode rules changed since they were cached: read them again, once.
            if not cached or "password" not in body or "password" not in error.field_errors:
                raise
            logger.info("zoom refused a passcode made from cached rules; reading the host's settings again")
            return self._post_meeting(caller, spec, fresh_rules=True)


# --- requests -----------------------------------------------------------------------------------------------


def zoom_time(value: datetime) -> str:
    """`yyyy-MM-ddTHH:mm:ssZ`: UTC, seconds precision, no offset (§3.1, P5)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clip(text: str, limit: int) -> str:
    """`text` within Zoom's `limit`, counted in UTF-16 units as Zoom's JSON side counts them; cut on a
    character boundary (never inside a surrogate pair) and marked with an ellipsis."""
    text = text.strip()
    if _utf16_length(text) <= limit:
        return text
    cut = text
    while _utf16_length(cut) > limit - 1:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def needs_rules(spec: MeetingSpec) -> bool:
    return spec.random_password or bool(set(spec.chosen_settings) & LOCKS)


def create_body(spec: MeetingSpec, rules: HostRules | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "topic": clip(spec.topic, TOPIC_MAX),
        "type": SCHEDULED,
        "start_time": zoom_time(spec.start),
        "timezone": spec.timezone,
        "duration": spec.duration_minutes,
    }
    if spec.agenda.strip():
        body["agenda"] = clip(spec.agenda, AGENDA_MAX)
    if spec.random_password:
        body["password"] = passwords.generate(rules.requirement if rules else None)
    locked = rules.locked if rules else frozenset()
    options: dict[str, bool | str | int] = {
        name: value for name, value in spec.chosen_settings.items() if name not in locked
    }
    if left_out := set(spec.chosen_settings) - set(options):
        logger.info("zoom meeting options %s left out: locked by the host's account", sorted(left_out))
    if spec.registration:
        options = {**options, **REGISTRATION_SETTINGS}
    if options:
        body["settings"] = options
    return body


def update_body(changes: MeetingChanges) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if changes.start is not None:
        body["start_time"] = zoom_time(changes.start)
    if changes.duration_minutes is not None:
        body["duration"] = changes.duration_minutes
    if changes.timezone is not None:
        body["timezone"] = changes.timezone
    if changes.topic is not None:
        body["topic"] = clip(changes.topic, TOPIC_MAX)
    if changes.agenda is not None:
        body["agenda"] = clip(changes.agenda, AGENDA_MAX)
    if changes.registration is not None:
        body["settings"] = (
            REGISTRATION_SETTINGS if changes.registration else {"approval_type": NO_REGISTRATION}
        )
    return body


def meeting_path(external_id: str) -> str:
    """A meeting id in a path: digits only, so nothing else can end up in the URL."""
    if not external_id.isdigit():
        raise MeetingGone(f"{external_id!r} is not a Zoom meeting id.")
    return external_id


def meeting_info(meeting: ZoomMeeting) -> MeetingInfo:
    return MeetingInfo(
        external_id=meeting.id,
        join_url=meeting.join_url,
        password=meeting.password,
        host_id=meeting.host_id,
        start=meeting.start_time.astimezone(UTC),
        duration_minutes=meeting.duration,
        timezone=meeting.timezone,
        topic=meeting.topic,
        registration=meeting.requires_registration,
    )


def _registrant_pages(caller: Caller, external_id: str, status: str) -> Iterator[RegistrantPage]:
    params: dict[str, Any] = {"status": status, "page_size": REGISTRANTS_PAGE_SIZE}
    path = f"/meetings/{meeting_path(external_id)}/registrants"
    for _ in range(MAX_REGISTRANT_PAGES):
        page = caller.client().get_model(path, RegistrantPage, params=params)
        yield page
        if not page.next_page_token:
            return
        params = {**params, "next_page_token": page.next_page_token}


def _find_id(caller: Caller, spec: MeetingSpec, created_after: datetime) -> str | None:
    """The id of the host's upcoming meeting with `spec`'s start (to the minute) and topic, made after
    `created_after`; the earliest such when there are several."""
    wanted_start = spec.start.replace(second=0, microsecond=0)
    wanted_topic = clip(spec.topic, TOPIC_MAX)
    earliest = created_after - CLOCK_SKEW
    matches = []
    params: dict[str, Any] = {"type": "upcoming", "page_size": MEETINGS_PAGE_SIZE}
    for _ in range(MAX_MEETING_PAGES):
        page = caller.client().get_model(f"/users/{caller.user_path}/meetings", MeetingPage, params=params)
        matches += [
            meeting
            for meeting in page.meetings
            if meeting.start_time is not None
            and meeting.start_time.replace(second=0, microsecond=0) == wanted_start
            and meeting.topic == wanted_topic
            and (meeting.created_at is None or meeting.created_at >= earliest)
        ]
        if not page.next_page_token:
            break
        params = {**params, "next_page_token": page.next_page_token}
    if not matches:
        return None
    if len(matches) > 1:
        logger.warning("zoom host has %d meetings matching one lost create; adopting the first", len(matches))
    first = min(matches, key=lambda meeting: meeting.created_at or datetime.min.replace(tzinfo=UTC))
    return first.id


# --- the host's rules ---------------------------------------------------------------------------------------


def host_rules(caller: Caller, *, fresh: bool = False) -> tuple[HostRules, bool]:
    """The host's rules, and whether they came from the cache."""
    key = f"zoom:host-rules:{caller.connection.pk}:{caller.user_key}"
    cached = None if fresh else cache.get(key)
    if cached is not None:
        return HostRules.from_cache(cached), True
    client = caller.client()
    user_settings = client.get_model(f"/users/{caller.user_path}/settings", UserSettings)
    rules = HostRules(user_settings.schedule_meeting.meeting_password_requirement, locked_options(caller))
    cache.set(key, rules.to_cache(), HOST_RULES_TTL)
    return rules, False


def locked_options(caller: Caller) -> frozenset[str]:
    """The options the host's account locked, as far as the connection may know (module docstring)."""
    if caller.connection.is_personal or LOCK_SCOPE not in caller.connection.scopes.split():
        return frozenset()
    client = caller.client()
    try:
        general = client.get_model("/accounts/me/lock_settings", LockSettings)
        security = client.get_model(
            "/accounts/me/lock_settings", SecurityLockSettings, params={"option": "meeting_security"}
        )
    except ZoomAPIError as error:
        logger.info(
            "zoom lock settings of connection %s unreadable (%s)", caller.connection.pk, error.message
        )
        return frozenset()
    locked = {
        "join_before_host": general.schedule_meeting.join_before_host,
        "auto_recording": general.recording.auto_recording,
        "waiting_room": security.meeting_security.waiting_room,
    }
    return frozenset(name for name, is_locked in locked.items() if is_locked)


# --- hosts and errors ---------------------------------------------------------------------------------------


def resolve(host: HostRef) -> Caller:
    """The credentials behind `host`; `HostUnusable` when a person must act first.

    The connection a meeting was made through may be gone (a reconnect made a new one, a personal connection
    was replaced by the business's) while its Zoom user is still reachable: then another usable connection of
    the same tenant that reaches that user is used (`_reaching`), so an old meeting can still be looked up or
    deleted instead of being stranded."""
    connection = Connection.objects.select_related("staff", "tenant").filter(pk=host.connection_id).first()
    if connection is not None and connection.is_usable:
        return Caller(connection, host.user_key, _who(connection, host.user_key))
    other = _reaching(host)
    if other is not None:
        return Caller(other, host.user_key, _who(other, host.user_key))
    if connection is None:
        raise HostUnusable(
            "The Zoom connection of this meeting's host was removed: connect the staff member's Zoom "
            "account again, or map them to a Zoom user of the business's Zoom account."
        )
    caller = Caller(connection, host.user_key, _who(connection, host.user_key))
    raise HostUnusable(_needs_reconnect(caller, connection.broken_reason))


def _reaching(host: HostRef) -> Connection | None:
    """A usable connection of the host's tenant that can act on `host.user_key`'s meetings: that user's own
    personal connection, else the tenant connection of the user's account (account-level credentials manage
    every user's meetings)."""
    if not host.tenant_id or not host.user_key:
        return None
    candidates = Connection.objects.select_related("staff", "tenant").filter(tenant_id=host.tenant_id)
    personal = candidates.filter(staff__isnull=False, zoom_user_id=host.user_key)
    account = candidates.filter(staff__isnull=True)
    if host.account_id:
        account = account.filter(account_id=host.account_id)
    else:
        account = account.filter(mappings__zoom_user_id=host.user_key)
    for connection in [*personal, *account]:
        if connection.is_usable and connection.pk != host.connection_id:
            return connection
    return None


def _who(connection: Connection, user_key: str) -> str:
    if connection.staff is not None:
        return connection.staff.name
    mapping = (
        StaffMapping.objects.select_related("staff")
        .filter(connection=connection, zoom_user_id=user_key)
        .first()
    )
    return mapping.staff.name if mapping else "the staff member"


def _needs_reconnect(caller: Caller, why: str) -> str:
    why = why.strip() or "Zoom no longer accepts it."
    if caller.connection.is_personal:
        return (
            f"{caller.who}'s Zoom connection needs reconnecting: {why} "
            f"Reconnect it in Staff → {caller.who} → Zoom."
        )
    return (
        f"The business's Zoom connection, through which {caller.who} hosts, needs reconnecting: {why} "
        "A tenant admin can reconnect it in Settings → Zoom."
    )


@contextmanager
def provider_errors(caller: Caller, action: str, *, external_id: str = "") -> Iterator[None]:
    """Zoom's errors as the port's: whether trying again helps, and a reason a person understands."""
    try:
        yield
    except ZoomError as error:
        raise provider_error(error, caller, action, external_id) from error


@contextmanager
def registrant_errors(caller: Caller, email: str, external_id: str) -> Iterator[None]:
    """Zoom's answers to registrant calls as the port's errors: refusals of registration itself first (the
    attendees then share the meeting's link), then the per-registrant daily caps, then the usual ones."""
    try:
        yield
    except ZoomError as error:
        raise registrant_error(error, caller, email, external_id) from error


def registrant_error(error: ZoomError, caller: Caller, email: str, external_id: str) -> ProviderError:
    if isinstance(error, ZoomRegistrantCapReached):
        return DailyLimitReached(
            f"Zoom takes no more registration changes for {email} on meeting {external_id} today "
            "(its daily limit per registrant); Rendez tries again after 00:00 UTC.",
            retry_after=error.retry_after or seconds_until_utc_midnight(),
        )
    if isinstance(error, ZoomAPIError):
        if error.code == PAID_ONLY or (error.status == 404 and error.code == REGISTRATION_OFF):
            return RegistrationRefused(
                f"Zoom does not let {caller.who}'s meeting {external_id} use registration ({error.message}): "
                "personal links need a Licensed Zoom user and a meeting that is not on the Personal Meeting "
                "ID. Everyone gets the meeting's shared link."
            )
        if error.is_missing_scope:
            return RegistrationRefused(
                f"The Zoom app lacks the permission to register attendees ({error.message}): add the "
                "registrant scopes to the app and reconnect. Meanwhile everyone gets the meeting's shared "
                "link."
            )
        if error.code == FULL:
            return ProviderError(f"Zoom meeting {external_id} has reached its limit of 4,999 registrants.")
    return provider_error(error, caller, f"register {email}", external_id)


def provider_error(error: ZoomError, caller: Caller, action: str, external_id: str) -> ProviderError:
    if isinstance(error, ConnectionUnusable):
        return HostUnusable(_needs_reconnect(caller, error.message))
    if isinstance(error, ZoomDailyCapReached):
        return QuotaExhausted(
            f"{caller.who} has used up today's Zoom allowance of meeting changes; Zoom takes more after "
            "00:00 UTC.",
            retry_after=error.retry_after or seconds_until_utc_midnight(),
        )
    if error.retryable:
        return ProviderError(
            f"Zoom could not {action} just now ({error.message}); it will be tried again.",
            retryable=True,
            retry_after=error.retry_after,
        )
    if not isinstance(error, ZoomAPIError):
        return ProviderError(f"Zoom could not {action}: {error.message}")
    if external_id and error.is_not_found:
        return MeetingGone(f"Zoom meeting {external_id} no longer exists on Zoom.")
    if error.code in IN_USE_CODES:
        return ProviderError(
            f"Zoom meeting {external_id} was not deleted because {IN_USE_CODES[error.code]}: "
            "a meeting in use is never removed."
        )
    if error.code == 1001 or (error.status == 404 and not external_id):
        return HostUnusable(
            f"{caller.who}'s Zoom user no longer exists in the Zoom account: map {caller.who} to another "
            "Zoom user, or connect their Zoom account again."
        )
    if error.is_missing_scope:
        return HostUnusable(
            f"The Zoom app lacks a permission Rendez needs to {action} ({error.message}). Add it to the app, "
            f"then reconnect the Zoom connection {caller.who} hosts through."
        )
    if error.field_errors:
        fields = "; ".join(f"{field}: {message}" for field, message in error.field_errors.items())
        return ProviderError(f"Zoom refused to {action}: {error.message} ({fields})")
    return ProviderError(f"Zoom refused to {action}: {error.message}")
