"""The payloads of the calendar jobs: the core's event writing, and each provider's sync of one connection
(`calendars.<provider>.sync`, enqueued by syncing.request_sync)."""

from __future__ import annotations

from rendez import jobs


class WriteEvent(jobs.Payload):
    appointment_id: int


class SyncConnection(jobs.Payload):
    connection_id: int
