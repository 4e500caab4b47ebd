"""Microsoft Teams as a `MeetingProvider` (conferencing/port.py), registered as "teams": a Teams meeting is an
Outlook event made as an online meeting on the staff member's connected Microsoft 365 calendar.

    POST   /me/calendars/{id}/events   create: `isOnlineMeeting: true`, `onlineMeetingProvider:
                                       "teamsForBusiness"`; the join link is `onlineMeeting.joinUrl`
    PATCH  /me/events/{id}             update: only the fields that changed (the online meeting stays)
    DELETE /me/events/{id}             delete (404 counts as done)
    GET    /me/events/{id}             get, start_url
    GET    /me/calendars/{id}/events?$filter=singleValueExtendedProperties/Any(...)   find (a lost answer)

As with Google Meet (google/meet.py), the meeting's event is the appointment's calendar event: Rendez's
calendar writer writes no second one on that connection (calendars/writing.py `MEETING_EVENTS`).

**Work accounts only.** Graph documents `teamsForBusiness` as available to work or school accounts; a
calendar that does not allow it creates the event without an online meeting (`onlineMeeting` null). Such an
event is deleted again and the create refused with the reason (the fallback provider, if any, takes over).

**Idempotent.** `transactionId` (`rendez-teams-<appointment>-<ms of the attempt>`) lets Graph drop a retried
POST of the same attempt, and marks the event as ours in delta answers (never busy); the String extended
property `rendezMeeting` = appointment id finds a create whose answer was lost (`find`).
"""

from __future__ import annotations

import contextlib
import logging
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
from rendez.integrations.microsoft import tokens
from rendez.integrations.microsoft.client import GraphClient, GraphError, GraphUnavailable, NotFound
from rendez.integrations.microsoft.events import TRANSACTION_PREFIX, parse_date_time
from rendez.integrations.microsoft.sync import client_for

if TYPE_CHECKING:
    from rendez.scheduling.models import Staff
    from rendez.tenants.models import Tenant

logger = logging.getLogger("rendez.microsoft")

PROVIDER = "teams"
TEAMS = "teamsForBusiness"
MEETING_PROPERTY_ID = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name rendezMeeting"
CLOCK_SKEW = timedelta(minutes=1)


@dataclass(frozen=True)
class Caller:
    connection: CalendarConnection

    @property
    def who(self) -> str:
        return self.connection.account_email or "the staff member"

    def client(self) -> GraphClient:
        return client_for(self.connection)


class TeamsProvider:
    """Registered in `CONFERENCING_PROVIDERS` as "teams". Every method raises `ProviderError` or a
    subclass."""

    name = PROVIDER

    def create(self, host: HostRef, spec: MeetingSpec, *, attempt_started_at: datetime) -> MeetingInfo:
        caller = resolve(host)
        body = {
            **event_body(spec),
            "isOnlineMeeting": True,
            "onlineMeetingProvider": TEAMS,
            "transactionId": TRANSACTION_PREFIX
            + "teams-"
            + meeting_hosts.attempt_key(spec, attempt_started_at),
        }
        with teams_errors(caller, "make the Teams meeting"):
            client = caller.client()
            event = client.create_event(write_calendar(caller, client), body)
            if not join_url(event):
                # Made without Teams (not a work account): the event must not stay behind as a meeting.
                with contextlib.suppress(NotFound):
                    client.delete_event(str(event.get("id", "")))
                raise ProviderError(
                    f"Microsoft made no Teams meeting for {caller.who}: Teams meetings need a work or school "
                    "Microsoft 365 account."
                )
            return meeting_info(event, client.zone)

    def update(self, host: HostRef, external_id: str, changes: MeetingChanges) -> None:
        if changes.is_empty:
            return
        caller = resolve(host)
        with teams_errors(caller, "update the Teams meeting", external_id=external_id):
            client = caller.client()
            current = _live(client, external_id)
            client.update_event(external_id, patch_body(changes, current, ZoneInfo(client.zone)))

    def delete(self, host: HostRef, external_id: str) -> None:
        caller = resolve(host)
        try:
            with teams_errors(caller, "delete the Teams meeting", external_id=external_id):
                caller.client().delete_event(external_id)
        except MeetingGone:
            logger.info("teams meeting event %s was already gone when deleted", external_id)

    def get(self, host: HostRef, external_id: str) -> MeetingInfo:
        caller = resolve(host)
        with teams_errors(caller, "look up the Teams meeting", external_id=external_id):
            client = caller.client()
            return meeting_info(_live(client, external_id), client.zone)

    def find(self, host: HostRef, spec: MeetingSpec, created_after: datetime) -> MeetingInfo | None:
        if not spec.reference:
            return None
        caller = resolve(host)
        with teams_errors(caller, "look for the Teams meeting"):
            client = caller.client()
            items = client.find_by_property(
                write_calendar(caller, client), MEETING_PROPERTY_ID, spec.reference
            )
            made = [
                item
                for item in items
                if not item.get("isCancelled")
                and join_url(item)
                and _created(item) >= created_after - CLOCK_SKEW
            ]
            if not made:
                return None
            return meeting_info(max(made, key=_created), client.zone)

    def start_url(self, host: HostRef, external_id: str) -> str:
        # The organizer joins with the same link and is the meeting's host in Teams.
        return self.get(host, external_id).join_url

    def integration(self, tenant: Tenant) -> Integration:
        return meeting_hosts.integration(tenant)

    def host_for(self, staff: Staff) -> HostRef | None:
        connection = meeting_hosts.hosting_connection(staff, Provider.MICROSOFT)
        if connection is None:
            return None
        # Graph event ids are the mailbox's: the account is the host whichever calendar holds the event.
        return meeting_hosts.host_ref(
            PROVIDER, connection, (connection.account_email or str(connection.pk))[:100]
        )


def resolve(host: HostRef) -> Caller:
    connection = meeting_hosts.connection_of(
        host,
        Provider.MICROSOFT,
        calendar_label="Microsoft 365 calendar",
        reconnect_where="Staff → Microsoft 365",
    )
    return Caller(connection)


def write_calendar(caller: Caller, client: GraphClient) -> str:
    return caller.connection.write_calendar_id or str(client.default_calendar()["id"])


# --- requests -----------------------------------------------------------------------------------------------


def _wall(moment: datetime, zone: str) -> dict[str, str]:
    """Graph's dateTimeTimeZone: the wall time without offset, and the IANA zone it is in."""
    return {"dateTime": moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None).isoformat(), "timeZone": zone}


def event_body(spec: MeetingSpec) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": spec.topic,
        "body": {"contentType": "text", "content": spec.agenda},
        "start": _wall(spec.start, spec.timezone),
        "end": _wall(spec.start + timedelta(minutes=spec.duration_minutes), spec.timezone),
        "showAs": "busy",
    }
    if spec.reference:
        body["singleValueExtendedProperties"] = [{"id": MEETING_PROPERTY_ID, "value": spec.reference}]
    return body


def patch_body(changes: MeetingChanges, current: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if changes.topic is not None:
        body["subject"] = changes.topic
    if changes.agenda is not None:
        body["body"] = {"contentType": "text", "content": changes.agenda}
    if {"start", "duration_minutes", "timezone"} & changes.changed:
        was_start = parse_date_time(current["start"], zone)
        was_length = parse_date_time(current["end"], zone) - was_start
        start = changes.start or was_start
        length = timedelta(minutes=changes.duration_minutes) if changes.duration_minutes else was_length
        # Graph answers in the zone asked for (Prefer: outlook.timezone): the staff member's, an IANA name.
        shown = changes.timezone or zone.key
        body["start"], body["end"] = _wall(start, shown), _wall(start + length, shown)
    return body


# --- answers ------------------------------------------------------------------------------------------------


def join_url(event: dict[str, Any]) -> str:
    online = event.get("onlineMeeting") or {}
    return str(online.get("joinUrl") or "") if isinstance(online, dict) else ""


def meeting_info(event: dict[str, Any], zone_name: str) -> MeetingInfo:
    event_id = str(event.get("id", ""))
    link = join_url(event)
    if not link:
        raise ProviderError(f"Microsoft event {event_id} has no Teams meeting.")
    zone = ZoneInfo(zone_name)
    start = parse_date_time(event["start"], zone)
    end = parse_date_time(event["end"], zone)
    return MeetingInfo(
        external_id=event_id,
        join_url=link,
        password="",
        host_id=str(((event.get("organizer") or {}).get("emailAddress") or {}).get("address", "")),
        start=start,
        duration_minutes=int((end - start).total_seconds() // 60),
        timezone=zone_name,
        topic=str(event.get("subject", "")),
    )


def _live(client: GraphClient, external_id: str) -> dict[str, Any]:
    event = client.get_event(external_id)
    if event.get("isCancelled"):
        raise MeetingGone(f"The Teams meeting's event {external_id} was cancelled in the calendar.")
    return event


def _created(item: dict[str, Any]) -> datetime:
    text = str(item.get("createdDateTime") or "")
    try:
        return parse_date_time({"dateTime": text.rstrip("Z"), "timeZone": "UTC"}, ZoneInfo("UTC"))
    except (ValueError, KeyError):
        return datetime.min.replace(tzinfo=ZoneInfo("UTC"))


@contextmanager
def teams_errors(caller: Caller, action: str, *, external_id: str = "") -> Iterator[None]:
    """Graph's errors as the port's: outages retryable, a dead grant HostUnusable, a missing event gone."""
    who = caller.who
    try:
        yield
    except tokens.ConnectionUnusable as error:
        raise HostUnusable(
            f"{who}'s Microsoft 365 calendar connection needs reconnecting ({error})."
        ) from error
    except (GraphUnavailable, *tokens.Unavailable) as error:
        raise ProviderError(
            f"Microsoft could not {action} just now ({error}); it will be tried again.",
            retryable=True,
            retry_after=getattr(error, "retry_after", None),
        ) from error
    except NotFound as error:
        if external_id:
            raise MeetingGone(f"Teams meeting event {external_id} no longer exists ({error}).") from error
        raise HostUnusable(
            f"The calendar of {who} that receives appointments cannot be found ({error}): choose it again."
        ) from error
    except GraphError as error:
        if error.status == 403:
            raise HostUnusable(f"Microsoft refused to {action} on {who}'s calendar ({error}).") from error
        raise ProviderError(f"Microsoft refused to {action}: {error}") from error
