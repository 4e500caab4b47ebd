"""A connection's health: when it breaks the people concerned hear at once, then after 1, 3 and 7 days.

Breaking is recorded in the caller's transaction together with the first notice's job, so either both
happen or neither. The notices themselves are sent by `notices.py`.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from rendez import jobs
from rendez.integrations.zoom.models import Connection
from rendez.integrations.zoom.payloads import NOTICE_JOB, NoticePayload

# Days after the breakage at which a still-broken connection is mentioned again.
REMINDER_DAYS = (1, 3, 7)


def mark_needs_reconnect(connection: Connection, reason: str, *, forget_credentials: bool = False) -> None:
    """Record that `connection` cannot work until a person reconnects it, and tell the people concerned.

    Call inside a transaction. A connection that is already broken keeps its first reason and notices.
    """
    fields = ["updated_at"]
    if forget_credentials:
        connection.forget_credentials()
        fields += [
            "access_token_encrypted",
            "refresh_token_encrypted",
            "client_secret_encrypted",
            "access_token_expires_at",
            "access_token_renew_at",
        ]
    already_broken = connection.status == Connection.Status.NEEDS_RECONNECT
    if not already_broken:
        connection.status = Connection.Status.NEEDS_RECONNECT
        connection.broken_reason = reason
        connection.broken_at = timezone.now()
        fields += ["status", "broken_reason", "broken_at"]
    connection.save(update_fields=fields)
    if not already_broken:
        schedule_notice(connection, number=0)


def mark_connected(connection: Connection) -> None:
    """Clear a breakage (the caller saves): pending reminders find the connection healthy and stop."""
    connection.status = Connection.Status.CONNECTED
    connection.broken_reason = ""
    connection.broken_at = None


def schedule_notice(connection: Connection, number: int) -> None:
    """Notice `number` (0 = at once, then one per REMINDER_DAYS) of the connection's current breakage."""
    assert connection.broken_at is not None
    run_after = None if number == 0 else connection.broken_at + timedelta(days=REMINDER_DAYS[number - 1])
    jobs.enqueue(
        NOTICE_JOB,
        NoticePayload(connection_id=connection.pk, broken_at=connection.broken_at, number=number),
        key=f"zoom-connection:{connection.pk}:notice:{number}",
        run_after=run_after,
        coalesce=True,
        tenant_id=connection.tenant_id,
    )
