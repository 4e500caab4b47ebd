"""The emails that say a Zoom connection broke, what that means, and exactly how to fix it.

For OAuth connections the email carries a reconnect link: a signed link, valid a little longer than the last
reminder, that starts a fresh authorization for the same staff member or tenant. For a personal connection
it goes to the staff member and the tenant admins; for the tenant connection to the admins only (anyone
holding it could connect their own Zoom account as the business's), and the mapped staff are told what is
going on without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from rendez.integrations.zoom.models import Connection, Mode
from rendez.tenants.people import admin_emails

RECONNECT_SALT = "rendez.zoom.reconnect"
RECONNECT_LINK_LIFETIME = timedelta(days=8)


@dataclass(frozen=True)
class Notice:
    to: list[str]
    subject: str
    body: str


def reconnect_link(connection: Connection) -> str:
    claims = {
        "t": connection.tenant_id,
        "s": connection.staff_id,
        "m": connection.mode,
        "u": connection.zoom_user_id,
    }
    token = signing.dumps(claims, salt=RECONNECT_SALT, compress=True)
    return f"{settings.BASE_URL}/integrations/zoom/reconnect/{token}"


def read_reconnect_link(token: str) -> dict:
    """The claims of a reconnect link; raises `signing.BadSignature` (or its `SignatureExpired`)."""
    return dict(signing.loads(token, salt=RECONNECT_SALT, max_age=RECONNECT_LINK_LIFETIME))


def notices_for(connection: Connection, number: int) -> list[Notice]:
    """The emails of reminder `number` (0: the first notice) about `connection`'s breakage."""
    admins = admin_emails(connection.tenant_id)
    context = {
        "connection": connection,
        "tenant": connection.tenant,
        "number": number,
        "is_s2s": connection.mode == Mode.TENANT_S2S,
        "is_personal": connection.is_personal,
        "staff": connection.staff,
        "base_url": settings.BASE_URL,
    }
    who = connection.staff.name if connection.staff else connection.tenant.name
    prefix = "Reminder: " if number else ""
    subject = f"{prefix}Zoom needs reconnecting for {who}: new video bookings get no meeting"
    with_link = {**context, "reconnect_url": "" if context["is_s2s"] else reconnect_link(connection)}
    if connection.is_personal:
        recipients = _unique([connection.staff.email if connection.staff else "", *admins])
        return [Notice(recipients, subject, render_to_string("zoom/email/needs_reconnect.txt", with_link))]
    notices = [Notice(admins, subject, render_to_string("zoom/email/needs_reconnect.txt", with_link))]
    staff_emails = _unique(
        [mapping.staff.email for mapping in connection.mappings.select_related("staff")], exclude=admins
    )
    if staff_emails:
        body = render_to_string("zoom/email/needs_reconnect_staff.txt", context)
        notices.append(Notice(staff_emails, subject, body))
    return notices


def send(connection: Connection, number: int) -> int:
    """Send reminder `number`; returns how many emails went out. One Message-ID per email and breakage, so a
    retried job's duplicate can be recognised by the receiver."""
    sent = 0
    assert connection.broken_at is not None
    stamp = int(connection.broken_at.timestamp())
    for index, notice in enumerate(notices_for(connection, number)):
        if not notice.to:
            continue
        message_id = f"<zoom-{connection.pk}-{stamp}-{number}-{index}@rendez.invalid>"
        email = EmailMessage(notice.subject, notice.body, to=notice.to, headers={"Message-ID": message_id})
        email.send()
        sent += 1
    return sent


def _unique(addresses: list[str], exclude: list[str] | None = None) -> list[str]:
    excluded = {address.lower() for address in exclude or []}
    seen: dict[str, str] = {}
    for address in addresses:
        if address and address.lower() not in excluded:
            seen.setdefault(address.lower(), address)
    return list(seen.values())
