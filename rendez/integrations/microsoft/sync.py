"""Busy times from Graph: a calendarView delta round per calendar, a full round when Graph says 410.

The first round (`…/calendarView/delta?startDateTime=…&endDateTime=…`) reads every event of the window in
pages; its last page's `@odata.deltaLink` (kept in CalendarSync.sync_token with the window's end) then answers
only what changed, deleted events as `@removed`. A 410 (`syncStateNotFound`, `resyncRequired`) drops the link:
full sync again; so does a window whose end came within the booking horizon (it rolls forward).
The calendar core runs the sync (rendez/calendars/syncing.py: the job, its polls, the outage wait, applying
each answer under the staff member's lock); Graph brings how one calendar is read and its subscriptions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from rendez.calendars import noticing, syncing
from rendez.calendars.models import CalendarConnection, CalendarEvent, CalendarSync, Provider
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

INSTANT = "%Y-%m-%dT%H:%M:%SZ"

SYNC = syncing.sync_kind(Provider.MICROSOFT.value)
# Slots look this far ahead at most: a service's horizon_days is at most 730 (scheduling/models.py).
HORIZON = timedelta(days=730)
# The window of a delta round: from a day back (older events cannot block a booking) to a month beyond the
# longest horizon. Graph fixes the window for the whole round (its state tokens encode startDateTime and
# endDateTime), so as days pass the window's end comes within the horizon: the round is then replaced by a
# new, full one with a window from now (about once a month), and busy events beyond the old window are seen.
WINDOW_BEFORE = timedelta(days=1)
WINDOW_AFTER = HORIZON + timedelta(days=30)


@dataclass(frozen=True)
class Round:
    """A delta round in progress: the end of its window and the delta link that continues it. Kept in
    CalendarSync.sync_token as "<end> <link>" (a URL holds no space)."""

    window_end: datetime
    link: str

    def stored(self) -> str:
        return f"{_instant(self.window_end)} {self.link}" if self.link else ""

    @classmethod
    def of(cls, stored: str) -> Round | None:
        """The round `stored` continues; None for none, or for a bare link kept before windows rolled (its
        window is unknown: a new round is read)."""
        end, _, link = stored.partition(" ")
        if not link:
            return None
        return cls(datetime.strptime(end, INSTANT).replace(tzinfo=UTC), link)

    def ends_within_horizon(self) -> bool:
        return self.window_end - timezone.now() < HORIZON


def client_for(connection: CalendarConnection) -> GraphClient:
    return GraphClient(connection, zone=connection.staff.timezone or "UTC")


def sync_connection(connection: CalendarConnection) -> None:
    """Bring the connection's busy blocks in line with Graph, keep subscriptions alive, schedule the next."""
    syncing.sync_connection(connection, SYNCER)


def _read_calendar(
    connection: CalendarConnection, client: GraphClient, state: CalendarSync
) -> syncing.Answer:
    going = Round.of(state.sync_token)
    if going is not None and going.ends_within_horizon():
        logger.info("microsoft delta window rolls forward: full sync", extra={"connection_id": connection.pk})
        going = None
    try:
        return _read(connection, client, state.calendar_id, going)
    except DeltaGone as gone:
        logger.info(
            "microsoft delta link gone (%s): full sync", gone.code, extra={"connection_id": connection.pk}
        )
        return _read(connection, client, state.calendar_id, None)


def _read(
    connection: CalendarConnection, client: GraphClient, calendar_id: str, going: Round | None
) -> syncing.Answer:
    """The changes of the round `going`, or (None) every event of a new round's window."""
    answer = syncing.Answer(full=going is None, time_zone=client.zone)
    if going is not None:
        window_end, first = going.window_end, client.delta_next(going.link)
    else:
        now = timezone.now()
        window_end = now + WINDOW_AFTER
        first = client.delta_first(calendar_id, _instant(now - WINDOW_BEFORE), _instant(window_end))
    zone = ZoneInfo(client.zone)
    own_ids = _own_ids(connection, calendar_id)
    link = ""
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
        link = page.delta_link or link
    answer.cursor = Round(window_end, link).stored()
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
    return moment.astimezone(UTC).strftime(INSTANT)


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
    meeting_provider="teams",
)
