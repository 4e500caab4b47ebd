"""Busy times kept in the database: `events.list` with sync tokens, a full sync when Google answers 410.

One job per connection (`SYNC`, keyed, coalescing) reads every synced calendar and then schedules the next
run: in 60 s where push cannot reach us (an http base URL, as in development and tests), in 15 minutes as a
safety poll beside push. A push notification asks for the same job now. Each calendar's answer is applied in
one transaction under the staff member's lock (calendars/busy.py), and only then is its sync token kept: a
crash in between syncs the same changes again, which is harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from rendez import jobs
from rendez.calendars import busy, meeting_events, noticing, writing
from rendez.calendars.models import BusyBlock, CalendarConnection, CalendarSync
from rendez.integrations.google import channels, tokens
from rendez.integrations.google.client import (
    CalendarClient,
    CalendarRefused,
    CalendarUnavailable,
    NotFound,
    SyncTokenGone,
)
from rendez.integrations.google.events import classify

logger = logging.getLogger("rendez.google")

SYNC = "calendars.google.sync"
POLL_WITHOUT_PUSH = timedelta(seconds=60)
SAFETY_POLL = timedelta(minutes=15)
# A full sync reads from a day back: older events cannot block a booking.
FULL_SYNC_FROM = timedelta(days=1)


@dataclass
class Answer:
    full: bool
    sync_token: str = ""
    time_zone: str = ""
    blocks: list[busy.Block] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    own: list[noticing.SeenEvent] = field(default_factory=list)


def request_sync(connection: CalendarConnection, after: timedelta | None = None) -> None:
    """Ask for the connection's sync (now, or after `after`); a waiting request absorbs this one."""
    writing.request_sync(connection, timezone.now() + after if after else None)


def sync_connection(connection: CalendarConnection) -> None:
    """Bring the connection's busy blocks in line with Google, then schedule the next poll."""
    if connection.status != CalendarConnection.Status.CONNECTED:
        return
    client = CalendarClient(connection)
    try:
        _forget_unsynced(connection)
        for calendar_id in connection.synced_calendar_ids():
            try:
                _sync_calendar(connection, client, calendar_id)
            except (CalendarRefused, NotFound) as exc:
                # A calendar that went away or that this grant may not read: the others still sync.
                logger.warning(
                    "google calendar not synced: %s",
                    exc.reason or exc.status,
                    extra={"connection_id": connection.pk},
                )
        if channels.push_possible():
            channels.ensure_channels(connection, client)
    except tokens.ConnectionUnusable:
        return  # marked needs_reconnect; staff are asked to reconnect, polling stops until they do
    except (CalendarUnavailable, tokens.GoogleUnavailable) as exc:
        # Polling must outlive any outage (spent attempts would end it for good): the job waits without
        # spending one, what Google asked (Retry-After) or one poll interval, and says why in its last error.
        wait = max(float(exc.retry_after or 0), POLL_WITHOUT_PUSH.total_seconds())
        raise jobs.Retry(after=wait, reason=str(exc), consume_attempt=False) from None
    CalendarConnection.objects.filter(pk=connection.pk, tenant_id=connection.tenant_id).update(
        last_synced_at=timezone.now()
    )
    request_sync(connection, SAFETY_POLL if channels.push_possible() else POLL_WITHOUT_PUSH)


def _sync_calendar(connection: CalendarConnection, client: CalendarClient, calendar_id: str) -> None:
    state, _ = CalendarSync.objects.get_or_create(
        tenant_id=connection.tenant_id, connection=connection, calendar_id=calendar_id
    )
    zone = ZoneInfo(state.time_zone or connection.staff.timezone)
    try:
        answer = _read(connection, client, calendar_id, state.sync_token, zone)
    except SyncTokenGone:
        logger.info("google sync token gone: full sync", extra={"connection_id": connection.pk})
        answer = _read(connection, client, calendar_id, "", zone)
    blocking = calendar_id in connection.busy_calendar_ids
    with transaction.atomic():
        busy.lock_staff(connection)
        if answer.full:
            busy.replace_blocks(connection, calendar_id, answer.blocks if blocking else [])
        elif blocking:
            busy.apply_changes(connection, calendar_id, answer.blocks, answer.removed)
        noticing.notice_changes(connection, calendar_id, answer.own)
        meeting_events.report("google_meet", connection, answer.own)
        state.sync_token = answer.sync_token
        state.time_zone = answer.time_zone or state.time_zone
        state.last_synced_at = timezone.now()
        state.full_syncs += int(answer.full)
        state.save(update_fields=["sync_token", "time_zone", "last_synced_at", "full_syncs"])


def _read(
    connection: CalendarConnection, client: CalendarClient, calendar_id: str, sync_token: str, zone: ZoneInfo
) -> Answer:
    full = not sync_token
    query = {"time_min": timezone.now() - FULL_SYNC_FROM} if full else {"sync_token": sync_token}
    answer = Answer(full=full)
    for page in client.all_events(calendar_id, **query):
        if page.time_zone:
            answer.time_zone = page.time_zone
            zone = ZoneInfo(page.time_zone)
        for item in page.items:
            seen = classify(item, calendar_id, zone, connection.transparent_events_block)
            if seen.block is not None:
                answer.blocks.append(seen.block)
            else:
                answer.removed.append(seen.event_id)
            if seen.own is not None:
                answer.own.append(noticing.SeenEvent(seen.own.event_id, seen.own.start, seen.own.end))
        answer.sync_token = page.next_sync_token or answer.sync_token
    return answer


def _forget_unsynced(connection: CalendarConnection) -> None:
    """Blocks of calendars no longer chosen stop blocking; their sync state goes (channels stop first)."""
    stale = BusyBlock.objects.filter(tenant_id=connection.tenant_id, connection=connection).exclude(
        calendar_id__in=connection.busy_calendar_ids
    )
    if stale.exists():
        with transaction.atomic():
            busy.lock_staff(connection)
            stale.delete()
    gone = CalendarSync.objects.filter(tenant_id=connection.tenant_id, connection=connection).exclude(
        calendar_id__in=connection.synced_calendar_ids()
    )
    for state in gone:
        channels.stop(CalendarClient(connection), state)
        state.delete()
