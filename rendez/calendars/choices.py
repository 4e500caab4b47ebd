"""The one writer of what a staff member chose for a connected calendar, whatever its provider: which
calendars block booking times, which one receives appointments, and whether "free" (transparent / showAs
free) events block too. The API's PUT and the panel's calendar card both save through `choose`.

Every choice changes what blocks, so the busy times are read again at once, in full (the sync tokens are
dropped): an incremental sync would only re-read events that changed since.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from rendez.calendars import syncing
from rendez.calendars.models import CalendarConnection


@dataclass(frozen=True)
class Choices:
    """What to change; None leaves that choice as it is."""

    busy_calendar_ids: list[str] | None = None
    write_calendar_id: str | None = None
    transparent_events_block: bool | None = None


def choose(connection: CalendarConnection, choices: Choices) -> CalendarConnection:
    """Save `choices` on `connection` and ask for a full sync; returns the connection as saved."""
    with transaction.atomic():
        locked = CalendarConnection.objects.select_for_update().get(
            pk=connection.pk, tenant_id=connection.tenant_id
        )
        changed = []
        if choices.busy_calendar_ids is not None:
            locked.busy_calendar_ids = list(dict.fromkeys(choices.busy_calendar_ids))
            changed.append("busy_calendar_ids")
        if choices.write_calendar_id is not None:
            locked.write_calendar_id = choices.write_calendar_id.strip()
            changed.append("write_calendar_id")
        if choices.transparent_events_block is not None:
            locked.transparent_events_block = choices.transparent_events_block
            changed.append("transparent_events_block")
        locked.save(update_fields=[*changed, "updated_at"])
        if locked.status == CalendarConnection.Status.CONNECTED:
            locked.syncs.filter(tenant_id=locked.tenant_id).update(sync_token="")
            syncing.request_sync(locked)
    return locked
