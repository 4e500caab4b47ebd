"""Google Meet as a `MeetingProvider` (conferencing/port.py), registered as "google_meet": a Meet meeting is a
Google Calendar event with a Meet conference, made on the staff member's connected Google calendar.

    POST   /calendars/{calendarId}/events?conferenceDataVersion=1   create: `conferenceData.createRequest`
                                                                    (type `hangoutsMeet`)
    PATCH  /calendars/{calendarId}/events/{eventId}                 update: only the fields that changed
    DELETE /calendars/{calendarId}/events/{eventId}                 delete (404/410 count as done)
    GET    /calendars/{calendarId}/events/{eventId}                 get, start_url
    GET    /calendars/{calendarId}/events?privateExtendedProperty=rendezMeeting={appointment}
                                                                    find (adoption after a lost answer)

**The host** is the staff member's Google Calendar connection (rendez/calendars); the calendar is the one
that receives appointments (`write_calendar_id`), the account's primary otherwise. `HostRef.user_key` is that
calendar's id: moving appointments to another calendar moves the meeting there (conferencing replaces it and
deletes the old event where it was), and an update never goes to a calendar that lacks the event.

**One event per appointment.** The meeting's event is the appointment's calendar event: Rendez's calendar
writer (calendars/writing.py) writes no second one on that calendar (docs/integrations/google.md).

**Idempotent.** Google documents `conferenceDataVersion=1` as required for `conferenceData` to be read at
all, and `createRequest.requestId` as a client-made id, unique per request; it is made from the appointment
and the instant the attempt was recorded, so a retry of the same attempt asks for the same conference. The
event carries `rendezMeeting=<appointment id>` as a private extended property: a create whose answer was
lost is found by it (`find`) and adopted instead of making a second event.

**Pending.** Conference creation is asynchronous: `conferenceData.createRequest.status.statusCode` reads
"pending" until the entry points are populated ("success") or the request failed ("failure"). A pending
answer is read again a few times; still pending, the create fails as retryable and the next attempt adopts
the event (by its property) once its link is there. "failure" is a refusal.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rendez.calendars import meeting_hosts
from rendez.calendars.models import CalendarConnection, Provider
from rendez.conferencing.port import (
    HostRef,
    HostUnusable,
    Integration,
    MeetingChanges,
    MeetingGone,
    MeetingInfo,
    MeetingSpec,
    ProviderError,
)
from rendez.integrations.google import tokens
from rendez.integrations.google.client import (
    CalendarClient,
    CalendarError,
    CalendarUnavailable,
    Deleted,
    NotFound,
    rfc3339,
)
from rendez.integrations.google.events import MEET_PROPERTY, parse_instant

if TYPE_CHECKING:
    from rendez.scheduling.models import Staff
    from rendez.tenants.models import Tenant

logger = logging.getLogger("rendez.google")

PROVIDER = "google_meet"
MEET = "hangoutsMeet"
# Google's `created` and our clock may disagree a little (as Zoom's, provider.py).
CLOCK_SKEW = timedelta(minutes=1)
# Reads of a pending conference before the create gives up for now, and the pause before each.
PENDING_READS = 3
PENDING_PAUSE_SECONDS = 0.3
PENDING_RETRY_AFTER = 30.0
# The longest calendar id kept as the host's user key (`Meeting.host_user_key`).
USER_KEY_MAX = 100


class ConferencePending(ProviderError):
    """Google has not finished making the Meet conference: its link is not there yet."""

    retryable = True


@dataclass(frozen=True)
class Caller:
    connection: CalendarConnection
    calendar_id: str

    def client(self) -> CalendarClient:
        return CalendarClient(self.connection)


class GoogleMeetProvider:
    """Registered in `CONFERENCING_PROVIDERS` as "google_meet". Every method raises `ProviderError` or a
    subclass."""

    name = PROVIDER

    def create(self, host: HostRef, spec: MeetingSpec, *, attempt_started_at: datetime) -> MeetingInfo:
        caller = resolve(host)
        body = event_body(spec)
        body["conferenceData"] = {
            "createRequest": {
                "requestId": request_id(spec, attempt_started_at),
                "conferenceSolutionKey": {"type": MEET},
            }
        }
        with meet_errors(caller, "make the Google Meet meeting"):
            event = caller.client().insert_event(caller.calendar_id, body, conference=True)
            return _settled(caller, event)

    def update(self, host: HostRef, external_id: str, changes: MeetingChanges) -> None:
        if changes.is_empty:
            return
        caller = resolve(host)
        with meet_errors(caller, "update the Google Meet meeting", external_id=external_id):
            client = caller.client()
            current = client.get_event(caller.calendar_id, external_id)
            _check_live(current, external_id)
            changed = client.patch_event(caller.calendar_id, external_id, patch_body(changes, current))
            _check_live(changed, external_id)

    def delete(self, host: HostRef, external_id: str) -> None:
        caller = resolve(host)
        try:
            with meet_errors(caller, "delete the Google Meet meeting", external_id=external_id):
                caller.client().delete_event(caller.calendar_id, external_id)
        except MeetingGone:
            logger.info("google meet event %s was already gone when deleted", external_id)

    def get(self, host: HostRef, external_id: str) -> MeetingInfo:
        caller = resolve(host)
        with meet_errors(caller, "look up the Google Meet meeting", external_id=external_id):
            event = caller.client().get_event(caller.calendar_id, external_id)
            _check_live(event, external_id)
            return _settled(caller, event)

    def find(self, host: HostRef, spec: MeetingSpec, created_after: datetime) -> MeetingInfo | None:
        if not spec.reference:
            return None
        caller = resolve(host)
        with meet_errors(caller, "look for the Google Meet meeting"):
            page = caller.client().list_events(
                caller.calendar_id, private_property=f"{MEET_PROPERTY}={spec.reference}"
            )
            made = [
                item
                for item in page.items
                if item.get("status") != "cancelled" and _created(item) >= created_after - CLOCK_SKEW
            ]
            if not made:
                return None
            newest = max(made, key=_created)
            return _settled(caller, newest)

    def start_url(self, host: HostRef, external_id: str) -> str:
        # The organizer's own calendar account is the Meet host: the join link starts it for them.
        return self.get(host, external_id).join_url

    def integration(self, tenant: Tenant) -> Integration:
        return meeting_hosts.integration(tenant)

    def host_for(self, staff: Staff) -> HostRef | None:
        """The staff member's Google calendar: None without one (or disconnected), not usable while it needs
        reconnecting."""
        connection = meeting_hosts.hosting_connection(staff, Provider.GOOGLE)
        if connection is None:
            return None
        return meeting_hosts.host_ref(PROVIDER, connection, meeting_calendar(connection))


def meeting_calendar(connection: CalendarConnection) -> str:
    """The calendar Meet events go to: the one receiving appointments, else the account's primary."""
    chosen = connection.write_calendar_id
    if chosen and len(chosen) <= USER_KEY_MAX:
        return chosen
    return connection.account_email or "primary"


def resolve(host: HostRef) -> Caller:
    connection = meeting_hosts.connection_of(
        host, Provider.GOOGLE, calendar_label="Google Calendar", reconnect_where="Staff → Google Calendar"
    )
    return Caller(connection, host.user_key or meeting_calendar(connection))


# --- requests -----------------------------------------------------------------------------------------------


def request_id(spec: MeetingSpec, attempt_started_at: datetime) -> str:
    """One per create attempt: the same attempt retried asks for the same conference."""
    return f"rendez-{meeting_hosts.attempt_key(spec, attempt_started_at)}"


def _wall(moment: datetime, zone: str) -> dict[str, str]:
    return {"dateTime": rfc3339(moment.astimezone(ZoneInfo(zone))), "timeZone": zone}


def event_body(spec: MeetingSpec) -> dict[str, Any]:
    end = spec.start + timedelta(minutes=spec.duration_minutes)
    body: dict[str, Any] = {
        "summary": spec.topic,
        "description": spec.agenda,
        "start": _wall(spec.start, spec.timezone),
        "end": _wall(end, spec.timezone),
        # The appointment itself: the staff member is busy (Rendez reads it as its own, never as busy).
        "transparency": "opaque",
    }
    if spec.reference:
        body["extendedProperties"] = {"private": {MEET_PROPERTY: spec.reference}}
    return body


def patch_body(changes: MeetingChanges, current: dict[str, Any]) -> dict[str, Any]:
    """Only what changed; a new start, duration or zone sends both start and end (Google keeps them
    apart), the missing parts taken from the event as it is."""
    body: dict[str, Any] = {}
    if changes.topic is not None:
        body["summary"] = changes.topic
    if changes.agenda is not None:
        body["description"] = changes.agenda
    if {"start", "duration_minutes", "timezone"} & changes.changed:
        start = changes.start or parse_instant(current["start"]["dateTime"])
        was = parse_instant(current["end"]["dateTime"]) - parse_instant(current["start"]["dateTime"])
        length = timedelta(minutes=changes.duration_minutes) if changes.duration_minutes else was
        zone = changes.timezone or current["start"].get("timeZone") or "UTC"
        body["start"], body["end"] = _wall(start, zone), _wall(start + length, zone)
    return body


# --- answers ------------------------------------------------------------------------------------------------


def _settled(caller: Caller, event: dict[str, Any]) -> MeetingInfo:
    """The meeting once its conference is made: a pending one is read again a few times first."""
    for pause in range(PENDING_READS):
        if _status(event) != "pending":
            break
        time.sleep(PENDING_PAUSE_SECONDS * (pause + 1))
        event = caller.client().get_event(caller.calendar_id, str(event.get("id", "")))
    return meeting_info(event)


def _status(event: dict[str, Any]) -> str:
    conference = event.get("conferenceData") or {}
    return str(((conference.get("createRequest") or {}).get("status") or {}).get("statusCode", ""))


def join_url(event: dict[str, Any]) -> str:
    if link := event.get("hangoutLink"):
        return str(link)
    entry_points = (event.get("conferenceData") or {}).get("entryPoints") or []
    for entry in entry_points:
        if isinstance(entry, dict) and entry.get("entryPointType") == "video" and entry.get("uri"):
            return str(entry["uri"])
    return ""


def meeting_info(event: dict[str, Any]) -> MeetingInfo:
    event_id = str(event.get("id", ""))
    status = _status(event)
    if status == "pending":
        raise ConferencePending(
            f"Google is still making the Meet conference of event {event_id}; Rendez looks again shortly.",
            retry_after=PENDING_RETRY_AFTER,
        )
    if status == "failure":
        raise ProviderError(f"Google could not make a Meet conference for event {event_id}.")
    link = join_url(event)
    if not link:
        raise ProviderError(
            f"Google made event {event_id} without a Meet link: Meet may be off for this Google account."
        )
    start = parse_instant(event["start"]["dateTime"])
    end = parse_instant(event["end"]["dateTime"])
    return MeetingInfo(
        external_id=event_id,
        join_url=link,
        password="",
        host_id=str((event.get("organizer") or {}).get("email", "")),
        start=start,
        duration_minutes=int((end - start).total_seconds() // 60),
        timezone=str(event["start"].get("timeZone") or "UTC"),
        topic=str(event.get("summary", "")),
    )


def _created(item: dict[str, Any]) -> datetime:
    try:
        return parse_instant(str(item.get("created", "")).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=ZoneInfo("UTC"))


def _check_live(event: dict[str, Any], external_id: str) -> None:
    if event.get("status") == "cancelled":
        raise MeetingGone(f"The Google Meet meeting's event {external_id} was deleted from the calendar.")


@contextmanager
def meet_errors(caller: Caller, action: str, *, external_id: str = "") -> Iterator[None]:
    """Google's errors as the port's: outages retryable, a dead grant HostUnusable, a missing event gone."""
    who = caller.connection.account_email or "the staff member"
    try:
        yield
    except tokens.ConnectionUnusable as error:
        raise HostUnusable(
            f"{who}'s Google Calendar connection needs reconnecting ({error}); reconnect it in "
            "Staff → Google Calendar."
        ) from error
    except (CalendarUnavailable, tokens.GoogleUnavailable) as error:
        raise ProviderError(
            f"Google could not {action} just now ({error}); it will be tried again.",
            retryable=True,
            retry_after=getattr(error, "retry_after", None),
        ) from error
    except (NotFound, Deleted) as error:
        if external_id:
            raise MeetingGone(f"Google Meet event {external_id} no longer exists ({error}).") from error
        raise HostUnusable(
            f"The calendar {caller.calendar_id} of {who} cannot be found ({error}): choose the calendar that "
            "receives appointments again."
        ) from error
    except CalendarError as error:
        if error.status == 403:
            raise HostUnusable(
                f"Google refused to {action} on {who}'s calendar ({error}): reconnect it with calendar "
                "access, or choose a calendar it may write to."
            ) from error
        raise ProviderError(f"Google refused to {action}: {error}") from error
