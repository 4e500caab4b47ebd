"""Conferencing hears scheduling's appointment changes by subscription: each becomes a coalescing sync."""

from __future__ import annotations

from rendez.conferencing import payloads, subscribers
from rendez.jobs import subscriptions
from rendez.scheduling import events


def test_every_announced_appointment_change_becomes_its_meeting_sync() -> None:
    assert subscribers.meeting_sync in subscriptions.subscribers_of(events.AppointmentChanged)
    assert events.SYNC_MEETING == payloads.SYNC_MEETING

    [sync] = subscribers.meeting_sync(events.AppointmentChanged(appointment_id=42, tenant_id=7))

    assert (sync.kind, sync.payload, sync.key, sync.coalesce, sync.tenant_id) == (
        payloads.SYNC_MEETING,
        payloads.SyncMeeting(appointment_id=42),
        "appointment:42",
        True,
        7,
    )
