"""Changes people make in their calendar to a meeting that is itself a calendar event (Google Meet, Teams:
`writing.MEETING_EVENTS`), reported to conferencing.

The busy sync sees such an event among our own: moved there, conferencing records the calendar's time beside
what it sent and shows it; deleted there, the meeting is recorded deleted and people are told
(conferencing/external.py), as Zoom's webhooks report changes made in Zoom. Echoes of Rendez's own writes
match the record and are dropped there.
"""

from __future__ import annotations

from collections.abc import Iterable

from rendez.calendars.models import CalendarConnection
from rendez.calendars.noticing import SeenEvent
from rendez.conferencing import external
from rendez.conferencing.models import Meeting


def report(provider: str, connection: CalendarConnection, seen: Iterable[SeenEvent]) -> int:
    """Report the `provider` meetings among `seen` (our own events of one sync of `connection`); returns how
    many were taken up."""
    by_id = {item.event_id: item for item in seen}
    if not by_id:
        return 0
    ours = Meeting.objects.filter(
        tenant_id=connection.tenant_id,
        provider=provider,
        host_connection_id=connection.pk,
        external_id__in=list(by_id),
    ).values_list("external_id", flat=True)
    taken = 0
    who = connection.account_email
    for external_id in set(ours):
        item = by_id[external_id]
        if item.start is None or item.end is None:
            heard = external.meeting_deleted_elsewhere(provider, external_id, by=who)
        else:
            minutes = int((item.end - item.start).total_seconds() // 60)
            heard = external.meeting_moved_elsewhere(
                provider, external_id, start=item.start, duration_minutes=minutes, by=who
            )
        taken += int(heard.acted)
    return taken
