"""A Zoom connection's health, on the shared reminders (rendez/integrations/oauth/reminders.py): when it
breaks the people concerned hear at once, then after 1, 3 and 7 days.

Breaking is recorded in the caller's transaction together with the first notice's job, so either both
happen or neither. The notices themselves are sent by `notices.py`.
"""

from __future__ import annotations

from rendez.integrations.oauth.models import TOKEN_FIELDS
from rendez.integrations.oauth.reminders import REMINDER_DAYS, Reminders
from rendez.integrations.zoom.models import Connection
from rendez.integrations.zoom.payloads import NOTICE_JOB

__all__ = ["NOTICE_JOB", "REMINDER_DAYS", "mark_connected", "mark_needs_reconnect", "schedule_notice"]

REMINDERS = Reminders(job=NOTICE_JOB, key_prefix="zoom-connection")


def mark_needs_reconnect(connection: Connection, reason: str, *, forget_credentials: bool = False) -> None:
    """Record that `connection` cannot work until a person reconnects it, and tell the people concerned.

    Call inside a transaction. A connection that is already broken keeps its first reason and notices.
    """
    also_save: tuple[str, ...] = ()
    if forget_credentials:
        connection.forget_credentials()
        also_save = (*TOKEN_FIELDS, "client_secret_encrypted")
    REMINDERS.mark_needs_reconnect(connection, reason, also_save=also_save)


def mark_connected(connection: Connection) -> None:
    """Clear a breakage (the caller saves): pending reminders find the connection healthy and stop."""
    REMINDERS.mark_connected(connection)


def schedule_notice(connection: Connection, number: int) -> None:
    """Notice `number` (0 = at once, then one per REMINDER_DAYS) of the connection's current breakage."""
    REMINDERS.schedule(connection, number)
