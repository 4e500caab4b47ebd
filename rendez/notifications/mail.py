"""An email backend for installs without SMTP: each message becomes one `.eml` file a person can open.

Django's file backend appends several messages to one `.log` file; mail clients open `.eml` files directly.
Enable with `EMAIL_BACKEND = "rendez.notifications.mail.EmlFileBackend"` and `EMAIL_FILE_PATH`.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


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
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            target = self.directory / self._filename(message)
            partial = target.with_suffix(".eml.part")
            # Written aside, then renamed: a reader never sees half a message.
            partial.write_bytes(message.message().as_bytes())
            os.replace(partial, target)
            sent += 1
        return sent

    @staticmethod
    def _filename(message: EmailMessage) -> str:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        recipient = re.sub(r"[^A-Za-z0-9@._-]", "_", message.recipients()[0])[:60]
        return f"{stamp}-{recipient}-{uuid.uuid4().hex[:8]}.eml"
