"""The emails that say a staff member's Google Calendar connection broke, what that means, how to fix it.

They go to the staff member and the tenant's admins (as Zoom's personal notices do): at once, then after 1, 3
and 7 days while it stays broken (the kit's `Reminders`, scheduled by `tokens.REMINDERS`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from rendez import jobs
from rendez.calendars.models import CalendarConnection
from rendez.tenants.people import admin_emails


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
    prefix = "Reminder: " if number else ""
    subject = f"{prefix}Google Calendar needs reconnecting for {staff.name}"
    body = render_to_string(
        "google/email/needs_reconnect.txt",
        {
            "connection": connection,
            "staff": staff,
            "number": number,
            "staff_page": f"{settings.BASE_URL}{reverse('panel:staff_edit', args=[staff.pk])}",
            "base_url": settings.BASE_URL,
        },
    )
    stamp = int(connection.broken_at.timestamp())
    message_id = f"<google-calendar-{connection.pk}-{stamp}-{number}@rendez.invalid>"
    EmailMessage(subject, body, to=to, headers={"Message-ID": message_id}).send()
    return 1
