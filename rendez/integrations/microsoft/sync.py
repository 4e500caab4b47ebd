"""Busy times from Graph: a calendarView delta round per calendar, a full round when Graph says 410.

The first round (`…/calendarView/delta?startDateTime=…&endDateTime=…`) reads every event of the window in
pages; its last page's `@odata.deltaLink` (kept in CalendarSync.sync_token) then answers only what changed,
deleted events as `@removed`. A 410 (`syncStateNotFound`, `resyncRequired`) drops the link: full sync again.
The calendar core runs the sync (rendez/calendars/syncing.py: the job, its polls, the outage wait, applying
each answer under the staff member's lock); Graph brings how one calendar is read and its subscriptions.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from rendez.calendars import noticing, syncing
from rendez.calendars.models import CalendarConnection, CalendarEvent, CalendarSync, Provider

# Asked for by connections.py and views.py, as before the calendar core held it.
from rendez.calendars.syncing import request_sync as request_sync
from rendez.integrations.microsoft import subscriptions, tokens
from rendez.integrations.microsoft.client import (
    DeltaGone,
    DeltaPage,
    GraphClient,
    GraphRefused,
    GraphUnavailable,
    NotFound,
)
from rendez.integrations.microsoft.events import classify
from rendez.integrations.oauth.provider import GrantRefused

logger = logging.getLogger("rendez.microsoft")

SYNC = syncing.sync_kind(Provider.MICROSOFT.value)
# The window of a delta round: from a day back (older events cannot block a booking) to beyond any booking
# horizon. A round's window is fixed by Graph; a full sync starts a new one.
WINDOW_BEFORE = timedelta(days=1)
WINDOW_AFTER = timedelta(days=400)


def client_for(connection: CalendarConnection) -> GraphClient:
    return GraphClient(connection, zone=connection.staff.timezone or "UTC")


def sync_connection(connection: CalendarConnection) -> None:
    """Bring the connection's busy blocks in line with Graph, keep subscriptions alive, schedule the next."""
    syncing.sync_connection(connection, SYNCER)


def _read_calendar(
    connection: CalendarConnection, client: GraphClient, state: CalendarSync
) -> syncing.Answer:
    try:
        return _read(connection, client, state.calendar_id, state.sync_token)
    except DeltaGone as gone:
        logger.info(
            "microsoft delta link gone (%s): full sync", gone.code, extra={"connection_id": connection.pk}
        )
        return _read(connection, client, state.calendar_id, "")


def _read(connection: CalendarConnection, client: GraphClient, calendar_id: str, link: str) -> syncing.Answer:
    answer = syncing.Answer(full=not link, time_zone=client.zone)
    if link:
        first = client.delta_next(link)
    else:
        now = timezone.now()
        first = client.delta_first(calendar_id, _instant(now - WINDOW_BEFORE), _instant(now + WINDOW_AFTER))
    zone = ZoneInfo(client.zone)
    own_ids = _own_ids(connection, calendar_id)
    page: DeltaPage
    for page in client.delta_rounds(first):
        for item in page.items:
            seen = classify(item, calendar_id, zone, connection.transparent_events_block, own_ids)
            if seen.block is not None:
                answer.blocks.append(seen.block)
            else:
                answer.removed.append(seen.event_id)
            if seen.own:
                answer.own.append(noticing.SeenEvent(seen.event_id, seen.start, seen.end))
        answer.cursor = page.delta_link or answer.cursor
    return answer


def _own_ids(connection: CalendarConnection, calendar_id: str) -> frozenset[str]:
    """Events Rendez wrote to this calendar, by id: ours even if the marks were stripped."""
    return frozenset(
        CalendarEvent.objects.filter(
            tenant_id=connection.tenant_id, connection=connection, calendar_id=calendar_id
        )
        .exclude(external_id="")
        .values_list("external_id", flat=True)
    )


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _keep_subscriptions(connection: CalendarConnection, client: GraphClient) -> bool:
    return subscriptions.push_possible() and subscriptions.ensure(connection, client)


SYNCER = syncing.Syncer(
    client=client_for,
    read=_read_calendar,
    keep_push=_keep_subscriptions,
    stop_push=subscriptions.stop,
    # GrantRefused is not a dead grant (that marks needs_reconnect) but the app's setup (invalid_client) or a
    # refresh answer without the rotated token: waited out like an outage, polling goes on.
    outages=(GraphUnavailable, *tokens.Unavailable, GrantRefused),
    unusable=tokens.ConnectionUnusable,
    skipped=(GraphRefused, NotFound),
)
