"""Busy times kept in the database: the sync every calendar provider runs, minus what is the provider's own.

One job per connection (`calendars.<provider>.sync`, keyed, coalescing) reads every synced calendar and then
schedules its next run: in 60 s where the provider cannot push changes to us (an http base URL, as in
development and tests), in 15 minutes as a safety poll beside push. A push notification asks for the same job
now. Each calendar's answer is applied in one transaction under the staff member's lock (busy.py) together
with the cursor it came with, so a crash in between reads the same changes again, which is harmless.

A provider brings a `Syncer`: its client, how it reads one calendar (Google's sync tokens and 410 full sync,
Graph's delta links), how it keeps push alive (channels, subscriptions) and which of its errors are passing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Generic, TypeVar

from django.db import transaction
from django.utils import timezone

from rendez import jobs
from rendez.calendars import busy, meeting_events, noticing
from rendez.calendars.errors import ProviderError
from rendez.calendars.models import BusyBlock, CalendarConnection, CalendarSync
from rendez.calendars.payloads import SyncConnection

C = TypeVar("C")

POLL_WITHOUT_PUSH = timedelta(seconds=60)
SAFETY_POLL = timedelta(minutes=15)
# A provider's outage is waited out this long at least (or what it asked for, if longer): one poll.
OUTAGE_WAIT = POLL_WITHOUT_PUSH


def sync_kind(provider: str) -> str:
    """The job kind of a provider's sync (its handler registers it with the `SyncConnection` payload)."""
    return f"calendars.{provider}.sync"


def request_sync(connection: CalendarConnection, after: timedelta | None = None) -> None:
    """Ask for the connection's sync (now, or after `after`); a waiting request absorbs this one."""
    jobs.enqueue(
        sync_kind(connection.provider),
        {"connection_id": connection.pk},
        key=f"{connection.provider}-sync:{connection.pk}",
        coalesce=True,
        run_after=timezone.now() + after if after else None,
        tenant_id=connection.tenant_id,
    )


@contextmanager
def waiting_out(outages: tuple[type[BaseException], ...]) -> Iterator[None]:
    """A provider's passing trouble (`outages`, with an optional `retry_after`) makes the job wait without
    spending an attempt: spent attempts would end polling, or leave an event unwritten, for good after an
    outage longer than their backoff. The job waits what the provider asked or OUTAGE_WAIT, and its last error
    says why."""
    try:
        yield
    except outages as exc:
        wait = max(float(getattr(exc, "retry_after", None) or 0), OUTAGE_WAIT.total_seconds())
        raise jobs.Retry(after=wait, reason=str(exc), consume_attempt=False) from None


@dataclass
class Answer:
    """One calendar read: every event (`full`, replacing what was kept) or what changed since the cursor."""

    full: bool
    cursor: str = ""  # where the next read starts: Google's sync token, Graph's delta link
    time_zone: str = ""  # the calendar's, when the provider said
    blocks: list[busy.Block] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    own: list[noticing.SeenEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Syncer(Generic[C]):
    """What a provider brings to the sync of a connection."""

    client: Callable[[CalendarConnection], C]
    read: Callable[[CalendarConnection, C, CalendarSync], Answer]
    # Keeps push alive for every synced calendar; False when changes will not be pushed (poll every 60 s).
    keep_push: Callable[[CalendarConnection, C], bool]
    stop_push: Callable[[C, CalendarSync], None]
    outages: tuple[type[BaseException], ...]  # waited out (`waiting_out`)
    unusable: type[BaseException]  # the connection was marked needs_reconnect: polling stops until then
    skipped: tuple[type[ProviderError], ...]  # a calendar gone or unreadable by the grant: the others sync
    # The meeting provider whose meetings are events of these calendars (Google Meet, Teams): what people
    # change in them is reported to conferencing (meeting_events.py).
    meeting_provider: str = ""


def connection_to_sync(provider: str, payload: SyncConnection, job: jobs.Job) -> CalendarConnection | None:
    """The connection a sync job names, of the job's tenant and the provider."""
    if job.tenant_id is None:
        raise jobs.PermanentError(f"a {provider} sync needs the tenant it acts for")
    return (
        CalendarConnection.objects.select_related("staff")
        .filter(pk=payload.connection_id, tenant_id=job.tenant_id, provider=provider)
        .first()
    )


def sync_connection(connection: CalendarConnection, syncer: Syncer[C]) -> None:
    """Bring the connection's busy blocks in line with its calendars, keep push alive, schedule the next."""
    if connection.status != CalendarConnection.Status.CONNECTED:
        return
    logger = logging.getLogger(f"rendez.{connection.provider}")
    client = syncer.client(connection)
    try:
        with waiting_out(syncer.outages):
            forget_unsynced(connection, lambda state: syncer.stop_push(client, state))
            for calendar_id in connection.synced_calendar_ids():
                try:
                    _sync_calendar(connection, syncer, client, calendar_id)
                except syncer.skipped as exc:
                    logger.warning(
                        "%s calendar not synced: %s",
                        connection.provider,
                        exc.code or exc.status,
                        extra={"connection_id": connection.pk},
                    )
            pushed = syncer.keep_push(connection, client)
    except syncer.unusable:
        return  # marked needs_reconnect; staff are asked to reconnect, polling stops until they do
    CalendarConnection.objects.filter(pk=connection.pk, tenant_id=connection.tenant_id).update(
        last_synced_at=timezone.now()
    )
    request_sync(connection, SAFETY_POLL if pushed else POLL_WITHOUT_PUSH)


def _sync_calendar(connection: CalendarConnection, syncer: Syncer[C], client: C, calendar_id: str) -> None:
    state, _ = CalendarSync.objects.get_or_create(
        tenant_id=connection.tenant_id, connection=connection, calendar_id=calendar_id
    )
    apply(connection, state, syncer.read(connection, client, state), meeting_provider=syncer.meeting_provider)


def apply(
    connection: CalendarConnection, state: CalendarSync, answer: Answer, *, meeting_provider: str = ""
) -> None:
    """Keep `answer` (blocks only of calendars that block time; our own events noticed on every one, and the
    meetings among them reported) and its cursor, in one transaction under the staff member's lock."""
    blocking = state.calendar_id in connection.busy_calendar_ids
    with transaction.atomic():
        busy.lock_staff(connection)
        cursor = answer.cursor if _choices_unchanged(connection) else ""
        if answer.full:
            busy.replace_blocks(connection, state.calendar_id, answer.blocks if blocking else [])
        elif blocking:
            busy.apply_changes(connection, state.calendar_id, answer.blocks, answer.removed)
        noticing.notice_changes(connection, state.calendar_id, answer.own)
        if meeting_provider:
            meeting_events.report(meeting_provider, connection, answer.own)
        state.sync_token = cursor
        state.time_zone = answer.time_zone or state.time_zone
        state.last_synced_at = timezone.now()
        state.full_syncs += int(answer.full)
        state.save(update_fields=["sync_token", "time_zone", "last_synced_at", "full_syncs"])


def _choices_unchanged(connection: CalendarConnection) -> bool:
    """Inside a sync's transaction, before it keeps its cursor: whether the choices it read the calendar with
    are still the saved ones (choices.py). Locks the connection's row as `choose` does, so a choice saved
    during the sync is seen here (then the cursor must go: the sync `choose` asked for reads everything
    again) or comes after this commits (and drops the cursor itself)."""
    saved = (
        CalendarConnection.objects.select_for_update()
        .filter(pk=connection.pk, tenant_id=connection.tenant_id)
        .values_list("busy_calendar_ids", "transparent_events_block")
        .first()
    )
    return saved == (connection.busy_calendar_ids, connection.transparent_events_block)


def forget_unsynced(connection: CalendarConnection, stop_push: Callable[[CalendarSync], None]) -> None:
    """Blocks of calendars no longer chosen stop blocking; their sync state goes (push stopped first)."""
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
        stop_push(state)
        state.delete()
