"""The email duplicate window: how long after an SMTP server took a message the delivery is recorded as sent.

A worker that dies inside that window leaves a message the server took but Rendez did not record, and the
next attempt sends it again (with the same Message-ID: docs/notifications.md, "Duplicates"). Measured per
delivery with the real worker and a real SMTP server (aiosmtpd on loopback): from the moment the server has
the whole message (its DATA handler ran; it answers 250 next) to the commit of the delivery's `sent` state.
The floor, in the same run: one bare SMTP exchange (connect to QUIT) of a short message with that server.

    .venv/bin/python bench/email_window.py [--database-url URL] [--deliveries 60]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import time
from datetime import timedelta

from _setup import django_on, emit, make_tenant

WARM_UP = 5


class TimedInbox:
    """Takes every message and notes when it had it."""

    def __init__(self) -> None:
        self.taken: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        from email import message_from_bytes

        self.taken[message_from_bytes(envelope.content)["Message-ID"]] = time.perf_counter()
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/rendez_bench_email")
    parser.add_argument("--deliveries", type=int, default=60)
    args = parser.parse_args()
    django_on(args.database_url)

    from aiosmtpd.controller import Controller
    from django.conf import settings

    inbox = TimedInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        windows = delivery_windows(inbox, args.deliveries + WARM_UP)[WARM_UP:]
        floor = bare_smtp_exchanges(args.deliveries)
    finally:
        controller.stop()
    report(args.database_url, windows, floor)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def delivery_windows(inbox: TimedInbox, count: int) -> list[float]:
    from django.db.models.signals import post_save
    from django.utils import timezone

    from rendez.jobs.worker import Worker
    from rendez.notifications.models import Channel, Delivery, Trigger, Workflow
    from rendez.scheduling import services

    tenant, [staff], service, _ = make_tenant()
    Workflow.objects.create(
        tenant=tenant,
        name="Confirmation",
        trigger=Trigger.BOOKING_CONFIRMED,
        channel=Channel.EMAIL,
        to_customer=True,
        subject_template="Confirmed: {service_name}",
        body_template="See you on {appointment_date} at {appointment_start_time}.",
    )
    recorded: dict[str, float] = {}

    def note_sent(sender, instance: Delivery, **kwargs) -> None:
        # Django runs in autocommit here: the UPDATE has committed when save() returns.
        if instance.state == Delivery.State.SENT:
            recorded[instance.message_id] = time.perf_counter()

    post_save.connect(note_sent, sender=Delivery)
    first = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=2)
    for number in range(count):
        # Sixteen half hours a day, inside the staff's 08:00-20:00 (Berlin) hours.
        start = first + timedelta(days=number // 16, minutes=30 * (number % 16))
        customer = services.CustomerDetails(name=f"Customer {number}", email=f"c{number}@example.com")
        services.book(service=service, staff=staff, start=start, customer=customer)
    Worker(queues={"notifications"}).run_once()
    order = Delivery.objects.order_by("pk").values_list("message_id", flat=True)
    return [(recorded[mid] - inbox.taken[mid]) * 1000 for mid in order]


def bare_smtp_exchanges(count: int) -> list[float]:
    from django.core.mail import EmailMessage, get_connection

    durations = []
    for number in range(count + WARM_UP):
        message = EmailMessage("Floor", "The same path, nothing recorded.", to=[f"floor{number}@example.com"])
        began = time.perf_counter()
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([message])
        durations.append((time.perf_counter() - began) * 1000)
    return durations[WARM_UP:]


def report(database_url: str, windows: list[float], floor: list[float]) -> None:
    def p95(values: list[float]) -> float:
        return sorted(values)[int(len(values) * 0.95) - 1]

    emit(
        bench="email_window",
        database=database_url.split(":", 1)[0],
        deliveries=len(windows),
        window_ms_p50=round(statistics.median(windows), 2),
        window_ms_p95=round(p95(windows), 2),
        window_ms_max=round(max(windows), 2),
        smtp_exchange_ms_p50=round(statistics.median(floor), 2),
        window_to_smtp_exchange=round(statistics.median(windows) / statistics.median(floor), 2),
    )


if __name__ == "__main__":
    main()
