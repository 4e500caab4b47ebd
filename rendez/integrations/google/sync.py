"""Busy times from Google: `events.list` with sync tokens, a full sync when Google answers 410.

The calendar core runs the sync (rendez/calendars/syncing.py: the job, its polls, the outage wait, applying
each answer under the staff member's lock); Google brings how one calendar is read and its push channels
(channels.py). A sync token is kept only with the answer it came with.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from rendez.calendars import noticing, syncing
from rendez.calendars.models import CalendarConnection, CalendarSync, Provider
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

SYNC = syncing.sync_kind(Provider.GOOGLE.value)
# A full sync reads from a day back: older events cannot block a booking.
FULL_SYNC_FROM = timedelta(days=1)


def sync_connection(connection: CalendarConnection) -> None:
    """Bring the connection's busy blocks in line with Google, then schedule the next poll."""
    syncing.sync_connection(connection, SYNCER)


def _read_calendar(
    connection: CalendarConnection, client: CalendarClient, state: CalendarSync
) -> syncing.Answer:
    zone = ZoneInfo(state.time_zone or connection.staff.timezone)
    try:
        return _read(connection, client, state.calendar_id, state.sync_token, zone)
    except SyncTokenGone:
        logger.info("google sync token gone: full sync", extra={"connection_id": connection.pk})
        return _read(connection, client, state.calendar_id, "", zone)


def _read(
    connection: CalendarConnection, client: CalendarClient, calendar_id: str, sync_token: str, zone: ZoneInfo
) -> syncing.Answer:
    full = not sync_token
    query = {"time_min": timezone.now() - FULL_SYNC_FROM} if full else {"sync_token": sync_token}
    answer = syncing.Answer(full=full)
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
        answer.cursor = page.next_sync_token or answer.cursor
    return answer


def _keep_channels(connection: CalendarConnection, client: CalendarClient) -> bool:
    if not channels.push_possible():
        return False
    channels.ensure_channels(connection, client)
    return True


SYNCER = syncing.Syncer(
    client=CalendarClient,
    read=_read_calendar,
    keep_push=_keep_channels,
    stop_push=channels.stop,
    outages=(CalendarUnavailable, tokens.GoogleUnavailable),
    unusable=tokens.ConnectionUnusable,
    skipped=(CalendarRefused, NotFound),
    meeting_provider="google_meet",
)
