"""The emails that say a staff member's calendar connection broke (Google or Microsoft), what that means and
how to fix it, and the reminders that repeat them.

They go to the staff member and the tenant's admins (as Zoom's personal notices do): at once, then after 1, 3
and 7 days while it stays broken: the kit's `Reminders`, one job kind per provider
(`calendars.<provider>.connection_notice`, handled in handlers.py), scheduled by the provider's token keeper
when it marks a dead grant (`REMINDERS[provider].mark_needs_reconnect`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from rendez import jobs
from rendez.calendars import connecting
from rendez.calendars.models import CalendarConnection, Provider
from rendez.integrations.oauth.reminders import Reminders
from rendez.tenants.people import admin_emails


def notice_job(provider: str) -> str:
    return f"calendars.{provider}.connection_notice"


REMINDERS = {
    provider: Reminders(job=notice_job(provider), key_prefix=f"{provider}-calendar-connection")
    for provider in Provider.values
}


class NoticePayload(jobs.Payload):
    """The `number`th notice about the connection's breakage that began at `broken_at`."""

    connection_id: int
    broken_at: jobs.Instant
    number: int


def recipients(connection: CalendarConnection) -> list[str]:
    seen: dict[str, str] = {}
    for address in [connection.staff.email, *admin_emails(connection.tenant_id)]:
        if address:
            seen.setdefault(address.lower(), address)
    return list(seen.values())


def send(connection: CalendarConnection, number: int) -> int:
    """Send notice `number` (0: the first); returns how many emails went out (0 or 1). The Message-ID is the
    same for a retried job's duplicate, so the receiver can recognise it."""
    to = recipients(connection)
    if not to:
        return 0
    assert connection.broken_at is not None
    staff = connection.staff
    label = connection.get_provider_display()
    prefix = "Reminder: " if number else ""
    subject = f"{prefix}{label} needs reconnecting for {staff.name}"
    body = render_to_string(
        "calendars/email/needs_reconnect.txt",
        {
            "connection": connection,
            "label": label,
            "company": _company(connection.provider, label),
            "staff": staff,
            "number": number,
            "staff_page": f"{settings.BASE_URL}{reverse('panel:staff_edit', args=[staff.pk])}",
            "base_url": settings.BASE_URL,
        },
    )
    stamp = int(connection.broken_at.timestamp())
    message_id = f"<{connection.provider}-calendar-{connection.pk}-{stamp}-{number}@rendez.invalid>"
    EmailMessage(subject, body, to=to, headers={"Message-ID": message_id}).send()
    return 1


def _company(provider: str, label: str) -> str:
    """Whose account people sign in to when they reconnect."""
    connector = connecting.connector_of(provider)
    return connector.company if connector is not None else label


def handle_notice(data: NoticePayload, job: jobs.Job) -> None:
    """A notice job of any provider: send it while that breakage lasts, then schedule the next."""
    if job.tenant_id is None:
        raise jobs.PermanentError("a calendar connection notice needs the tenant it is about")
    provider = job.kind.split(".")[1]
    connection = (
        CalendarConnection.objects.select_related("staff")
        .filter(pk=data.connection_id, tenant_id=job.tenant_id, provider=provider)
        .first()
    )
    if connection is None or connection.status != CalendarConnection.Status.NEEDS_RECONNECT:
        return  # Fixed, disconnected or removed: nothing to tell.
    reminders = REMINDERS[provider]
    if not reminders.due(connection, data.broken_at):
        return  # Broken again since: that breakage has its own notices.
    send(connection, data.number)
    reminders.follow_up(connection, data.number)
