"""A holder's health: when its grant dies the people concerned hear at once, then after 1, 3 and 7 days.

Breaking is recorded in the caller's transaction together with the first notice's job, so either both
happen or neither. The notice job's payload is `{<id_field>: pk, "broken_at": instant, "number": n}`: each
provider types it (a `jobs.Payload` with those fields, see zoom/payloads.py) and registers a handler for its
notice job that calls `due` and, when the notice was sent, `follow_up`; what the emails say is the
provider's (its notices module).

    REMINDERS = Reminders(job="google.connection_notice", key_prefix="google-connection")

    @jobs.handler(REMINDERS.job, payload=NoticePayload, max_attempts=8)
    def connection_notice(notice: NoticePayload, job: jobs.Job) -> None:
        connection = CalendarConnection.objects.filter(pk=notice.connection_id).first()
        if REMINDERS.due(connection, notice.broken_at):
            send_notice(connection, notice.number)
            REMINDERS.follow_up(connection, notice.number)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from rendez import jobs
from rendez.integrations.oauth.models import TokenHolder

# Days after the breakage at which a still-broken holder is mentioned again.
REMINDER_DAYS = (1, 3, 7)


@dataclass(frozen=True)
class Reminders:
    job: str  # the provider's notice job kind, e.g. "zoom.connection_notice"
    key_prefix: str  # a notice job's key is f"{key_prefix}:{pk}:notice:{number}" (coalesced: sent once)
    id_field: str = "connection_id"  # the holder's id in the job payload
    days: tuple[int, ...] = REMINDER_DAYS

    def mark_needs_reconnect(
        self, holder: TokenHolder, reason: str, *, also_save: tuple[str, ...] = ()
    ) -> None:
        """Record that `holder` cannot work until a person reconnects it, and schedule the notices. Call
        inside a transaction. A holder already broken keeps its first reason and notices; `also_save` names
        fields the caller changed too (credentials it forgot)."""
        fields = ["updated_at", *also_save]
        already_broken = holder.status == TokenHolder.Status.NEEDS_RECONNECT
        if not already_broken:
            holder.status = TokenHolder.Status.NEEDS_RECONNECT
            holder.broken_reason = reason
            holder.broken_at = timezone.now()
            fields += ["status", "broken_reason", "broken_at"]
        holder.save(update_fields=fields)
        if not already_broken:
            self.schedule(holder, number=0)

    @staticmethod
    def mark_connected(holder: TokenHolder) -> None:
        """Clear a breakage (the caller saves): pending reminders find the holder healthy and stop."""
        holder.status = TokenHolder.Status.CONNECTED
        holder.broken_reason = ""
        holder.broken_at = None

    def schedule(self, holder: TokenHolder, number: int) -> None:
        """Notice `number` (0 = at once, then one per `days`) of the holder's current breakage."""
        assert holder.broken_at is not None
        run_after = None if number == 0 else holder.broken_at + timedelta(days=self.days[number - 1])
        jobs.enqueue(
            self.job,
            {self.id_field: holder.pk, "broken_at": holder.broken_at.isoformat(), "number": number},
            key=f"{self.key_prefix}:{holder.pk}:notice:{number}",
            run_after=run_after,
            coalesce=True,
            tenant_id=getattr(holder, "tenant_id", None),
        )

    @staticmethod
    def due(holder: TokenHolder | None, broken_at: datetime) -> bool:
        """Whether a notice about the breakage at `broken_at` is still to be sent: not when the holder was
        fixed, removed, or broke again since (that breakage has its own notices)."""
        return holder is not None and not holder.is_usable and holder.broken_at == broken_at

    def follow_up(self, holder: TokenHolder, number: int) -> None:
        """After notice `number` went out: schedule the next one, if any is left."""
        if number < len(self.days):
            self.schedule(holder, number + 1)
