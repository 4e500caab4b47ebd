"""The emails the web pages have the outbox send (sign-up verification, customer sign-in links): a test
runs the notifications worker, as the worker beside the server would, then reads what was sent."""

from __future__ import annotations

from typing import Any

from rendez.jobs.worker import Worker


def sent(mailoutbox: list[Any]) -> list[Any]:
    """`mailoutbox` (pytest-django's list of Django's EmailMessage) once the queued emails went out."""
    Worker(queues={"notifications"}).run_once()
    return mailoutbox
