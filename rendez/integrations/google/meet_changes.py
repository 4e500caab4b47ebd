"""Changes people make in Google Calendar to a Google Meet meeting's event, reported to conferencing.

The Meet event is the appointment's calendar event (meet.py), so the busy sync sees it among our own events
(`rendezMeeting`): moved there, conferencing records the calendar's time beside what it sent and shows it;
deleted there, the meeting is recorded deleted and people are told (conferencing/external.py), as Zoom's
webhooks report changes made in Zoom. Echoes of Rendez's own writes match the record and are dropped there.
"""

from __future__ import annotations

from collections.abc import Iterable

from rendez.calendars.models import CalendarConnection
from rendez.calendars.noticing import SeenEvent
from rendez.conferencing import external
from rendez.conferencing.models import Meeting
from rendez.integrations.google.meet import PROVIDER


def report(connection: CalendarConnection, seen: Iterable[SeenEvent]) -> int:
    """Report the Meet events among `seen` (our own events of one sync); returns how many were taken up."""
    by_id = {item.event_id: item for item in seen}
    if not by_id:
        return 0
    ours = Meeting.objects.filter(
        tenant_id=connection.tenant_id,
        provider=PROVIDER,
        host_connection_id=connection.pk,
        external_id__in=list(by_id),
    ).values_list("external_id", flat=True)
    taken = 0
    who = connection.account_email
    for external_id in set(ours):
        item = by_id[external_id]
        if item.start is None or item.end is None:
            heard = external.meeting_deleted_elsewhere(PROVIDER, external_id, by=who)
        else:
            minutes = int((item.end - item.start).total_seconds() // 60)
            heard = external.meeting_moved_elsewhere(
                PROVIDER, external_id, start=item.start, duration_minutes=minutes, by=who
            )
        taken += int(heard.acted)
    return taken
