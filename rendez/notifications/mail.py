"""Email plumbing besides the channel: who an email of a business comes from, the Message-ID every delivery
gets when it is made, and an email backend for installs without SMTP.

A business's emails (booking messages, a customer's sign-in link) come from the platform's own address
(DEFAULT_FROM_EMAIL: the one its SPF and DKIM cover) under the business's sender name, with the business's
reply-to address, so a customer sees who wrote and answers the business, not the platform.

The Message-ID is made with the delivery row, before any attempt, and every attempt sends that one: a worker
killed after the SMTP server took a message but before the delivery was marked sent makes the next attempt
send it again, and the receiver can tell the two copies are one message (docs/notifications.md, "Duplicates").

The backend writes each message as one `.eml` file a person can open (Django's file backend appends several
messages to one `.log` file; mail clients open `.eml` files directly). Enable with
`EMAIL_BACKEND = "rendez.notifications.mail.EmlFileBackend"` and `EMAIL_FILE_PATH`.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Sequence
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from rendez.lib.env import private_dir, write_private
from rendez.tenants.models import Tenant


def sender_for(display_name: str) -> str:
    """The From header: DEFAULT_FROM_EMAIL's address under `display_name` (its own name when empty)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((display_name or name, address)) if address else settings.DEFAULT_FROM_EMAIL


def reply_to_for(address: str) -> list[str]:
    return [address] if address else []


def tenant_email(tenant: Tenant, subject: str, body: str, to: list[str]) -> EmailMessage:
    """A plain email sent on behalf of `tenant` (not a workflow's delivery: those go through the channel)."""
    return EmailMessage(
        subject,
        body,
        from_email=sender_for(tenant.sender),
        to=to,
        reply_to=reply_to_for(tenant.reply_to_email),
    )


def new_message_id() -> str:
    """A Message-ID unique across installations and database resets (RFC 5322 3.6.4), in the sender's domain.

    Random rather than derived from the delivery's id: a staging and a production install sending from one
    domain, or a database restored from a backup, would otherwise reuse ids, and receivers drop a message
    whose id they have already seen."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = address.rpartition("@")[2] or "rendez.localhost"
    return f"<rendez.{uuid.uuid4().hex}@{domain}>"


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        path = file_path or getattr(settings, "EMAIL_FILE_PATH", None)
        if not path:
            raise ImproperlyConfigured("EmlFileBackend needs EMAIL_FILE_PATH")
        self.directory = Path(path)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        private_dir(self.directory)  # mail is its owner's alone, as everything under var/
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            target = self.directory / self._filename(message)
            partial = target.with_suffix(".eml.part")
            # Written aside, then renamed: a reader never sees half a message.
            write_private(partial, message.message().as_bytes())
            os.replace(partial, target)
            sent += 1
        return sent

    @staticmethod
    def _filename(message: EmailMessage) -> str:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        recipient = re.sub(r"[^A-Za-z0-9@._-]", "_", message.recipients()[0])[:60]
        return f"{stamp}-{recipient}-{uuid.uuid4().hex[:8]}.eml"
