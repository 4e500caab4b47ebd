"""Email through Django's mail backend (SMTP in production): a text part, an HTML part, and the invitation."""

from __future__ import annotations

import smtplib
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import SafeMIMEText
from django.template.loader import render_to_string

from rendez.notifications import mail
from rendez.notifications.channels.base import ChannelError, OutgoingMessage, VendorSettings

# Used when EMAIL_TIMEOUT is unset (Django's default then waits forever): a hung SMTP server must fail the
# attempt, which is retried, rather than hold a worker thread for good.
DEFAULT_SMTP_TIMEOUT_SECONDS = 30.0


class EmailTransport:
    def send(self, message: OutgoingMessage, vendor: VendorSettings) -> str:
        email = build_email(message)
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_SMTP_TIMEOUT_SECONDS
        try:
            with get_connection(fail_silently=False, timeout=timeout) as connection:
                connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise ChannelError(
                f"recipient refused: {exc.recipients}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise ChannelError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Connection refused, reset, timed out, server went away: the next attempt may find it back.
            raise ChannelError(f"SMTP unavailable: {exc!r}", permanent=False) from exc
        return email.extra_headers.get("Message-ID", "")


def build_email(message: OutgoingMessage) -> EmailMultiAlternatives:
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    email = EmailMultiAlternatives(
        subject=" ".join(message.subject.split()),
        body=message.text,
        from_email=mail.sender_for(message.sender_name or message.tenant_name),
        to=[message.recipient],
        reply_to=mail.reply_to_for(message.reply_to),
        headers={"Message-ID": message.message_id or make_msgid(domain=address.rpartition("@")[2] or None)},
    )
    html = render_to_string(
        "notifications/email.html",
        {"subject": message.subject, "text": message.text, "tenant_name": message.tenant_name},
    )
    email.attach_alternative(html, "text/html")
    if message.invitation is not None:
        email.attach(invitation_part(message.invitation, message.invitation_method))
    return email


def invitation_part(ics: bytes, method: str) -> SafeMIMEText:
    """The `.ics` attachment: `text/calendar; charset="utf-8"; method=...` (calendar clients read the iTIP
    method from the Content-Type). Built here because Django, given a content type that already names a
    charset, appends its own and the header names it twice."""
    part = SafeMIMEText(ics.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    filename = "cancel.ics" if method == "CANCEL" else "invite.ics"
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part
