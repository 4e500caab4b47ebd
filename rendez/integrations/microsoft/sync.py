"""Busy times kept in the database: a calendarView delta round per calendar, a full round when Graph says 410.

The first round (`…/calendarView/delta?startDateTime=…&endDateTime=…`) reads every event of the window in
pages; its last page's `@odata.deltaLink` (kept in CalendarSync.sync_token) then answers only what changed,
deleted events as `@removed`. A 410 (`syncStateNotFound`, `resyncRequired`) drops the link: full sync again.
One job per connection (`SYNC`, keyed, coalescing) reads every synced calendar, then schedules the next run:
in 60 s where Graph cannot notify us (no https base URL), in 15 minutes as a safety poll beside subscriptions.
Each calendar's answer is applied under the staff member's lock (calendars/busy.py) with its new link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from rendez import jobs
from rendez.calendars import busy, meeting_events, noticing, writing
from rendez.calendars.models import BusyBlock, CalendarConnection, CalendarEvent, CalendarSync
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

SYNC = "calendars.microsoft.sync"
POLL_WITHOUT_PUSH = timedelta(seconds=60)
SAFETY_POLL = timedelta(minutes=15)
# The window of a delta round: from a day back (older events cannot block a booking) to beyond any booking
# horizon. A round's window is fixed by Graph; a full sync starts a new one.
WINDOW_BEFORE = timedelta(days=1)
WINDOW_AFTER = timedelta(days=400)


@dataclass
class Answer:
    full: bool
    delta_link: str = ""
    blocks: list[busy.Block] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    own: list[noticing.SeenEvent] = field(default_factory=list)


def request_sync(connection: CalendarConnection, after: timedelta | None = None) -> None:
    writing.request_sync(connection, timezone.now() + after if after else None)


def client_for(connection: CalendarConnection) -> GraphClient:
    return GraphClient(connection, zone=connection.staff.timezone or "UTC")


def sync_connection(connection: CalendarConnection) -> None:
    """Bring the connection's busy blocks in line with Graph, keep subscriptions alive, schedule the next."""
    if connection.status != CalendarConnection.Status.CONNECTED:
        return
    client = client_for(connection)
    try:
        _forget_unsynced(connection, client)
        for calendar_id in connection.synced_calendar_ids():
            try:
                _sync_calendar(connection, client, calendar_id)
            except (GraphRefused, NotFound) as exc:
                logger.warning(
                    "microsoft calendar not synced: %s",
                    exc.code or exc.status,
                    extra={"connection_id": connection.pk},
                )
        subscribed = subscriptions.push_possible() and subscriptions.ensure(connection, client)
    except tokens.ConnectionUnusable:
        return  # marked needs_reconnect; polling stops until a person reconnects
    except GrantRefused as refused:
        # Not a dead grant (that marks needs_reconnect): the app's setup (invalid_client) or a refresh answer
        # without the rotated token. Keep polling; the job's last error says why.
        raise jobs.Retry(
            after=POLL_WITHOUT_PUSH.total_seconds(), reason=str(refused), consume_attempt=False
        ) from None
    except (GraphUnavailable, *tokens.Unavailable) as exc:
        # Polling must outlive any outage: wait without spending an attempt (Retry-After, or one poll).
        wait = max(float(getattr(exc, "retry_after", None) or 0), POLL_WITHOUT_PUSH.total_seconds())
        raise jobs.Retry(after=wait, reason=str(exc), consume_attempt=False) from None
    CalendarConnection.objects.filter(pk=connection.pk, tenant_id=connection.tenant_id).update(
        last_synced_at=timezone.now()
    )
    request_sync(connection, SAFETY_POLL if subscribed else POLL_WITHOUT_PUSH)


def _sync_calendar(connection: CalendarConnection, client: GraphClient, calendar_id: str) -> None:
    state, _ = CalendarSync.objects.get_or_create(
        tenant_id=connection.tenant_id, connection=connection, calendar_id=calendar_id
    )
    try:
        answer = _read(connection, client, calendar_id, state.sync_token)
    except DeltaGone as gone:
        logger.info(
            "microsoft delta link gone (%s): full sync", gone.code, extra={"connection_id": connection.pk}
        )
        answer = _read(connection, client, calendar_id, "")
    blocking = calendar_id in connection.busy_calendar_ids
    with transaction.atomic():
        busy.lock_staff(connection)
        if answer.full:
            busy.replace_blocks(connection, calendar_id, answer.blocks if blocking else [])
        elif blocking:
            busy.apply_changes(connection, calendar_id, answer.blocks, answer.removed)
        noticing.notice_changes(connection, calendar_id, answer.own)
        meeting_events.report("teams", connection, answer.own)
        state.sync_token = answer.delta_link
        state.time_zone = client.zone
        state.last_synced_at = timezone.now()
        state.full_syncs += int(answer.full)
        state.save(update_fields=["sync_token", "time_zone", "last_synced_at", "full_syncs"])


def _read(connection: CalendarConnection, client: GraphClient, calendar_id: str, link: str) -> Answer:
    answer = Answer(full=not link)
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
        answer.delta_link = page.delta_link or answer.delta_link
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


def _forget_unsynced(connection: CalendarConnection, client: GraphClient) -> None:
    """Blocks of calendars no longer chosen stop blocking; their sync state goes (subscriptions first)."""
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
        subscriptions.stop(client, state)
        state.delete()
