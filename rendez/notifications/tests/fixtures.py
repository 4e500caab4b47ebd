"""Personas and helpers for the notification tests.

Acme Clinic (Berlin) employs Sam (New York); customer Carla lives in Tokyo. Jobs run through the real worker,
limited to the notifications queue so that other apps' jobs (meeting sync) stay out of these tests. Email goes
to a real SMTP server (aiosmtpd) on a free port when a test asks for `smtp_server`.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from ical.calendar_stream import IcsCalendarStream
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from rendez.jobs.models import Job
from rendez.jobs.worker import Worker
from rendez.notifications.models import Channel, Delivery, Trigger, Workflow
from rendez.scheduling import services
from rendez.scheduling.models import Booking, Service, Staff, WorkingHours
from rendez.tenants.models import Tenant

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def tenant(db) -> Tenant:
    return Tenant.objects.create(
        slug="acme", name="Acme Clinic", timezone="Europe/Berlin", address="Hauptstr. 1, Berlin"
    )


@pytest.fixture
def staff(tenant) -> Staff:
    sam = Staff.objects.create(
        tenant=tenant,
        name="Sam Staff",
        email="sam@acme.test",
        phone="+12125550100",
        timezone="America/New_York",
    )
    for weekday in range(7):
        WorkingHours.objects.create(staff=sam, weekday=weekday, start_time=time(0, 0), end_time=time(23, 30))
    return sam


@pytest.fixture
def service(tenant, staff) -> Service:
    therapy = Service.objects.create(tenant=tenant, name="Therapy", duration_minutes=30, capacity=3)
    therapy.staff.add(staff)
    return therapy


@pytest.fixture
def zoom_service(tenant, staff) -> Service:
    video = Service.objects.create(
        tenant=tenant, name="Video consult", duration_minutes=30, video_provider="zoom"
    )
    video.staff.add(staff)
    return video


def slot(days: int = 3, hour: int = 10, minute: int = 0) -> datetime:
    """A start `days` ahead at hour:minute in Sam's zone (a slot boundary)."""
    day = (timezone.now().astimezone(NEW_YORK) + timedelta(days=days)).date()
    return datetime.combine(day, time(hour, minute), tzinfo=NEW_YORK)


def book(
    service: Service, start: datetime | None = None, *, staff: Staff | None = None, **customer: Any
) -> Booking:
    details = {
        "name": "Carla Customer",
        "email": "carla@example.com",
        "phone": "+81312345678",
        "timezone": "Asia/Tokyo",
    }
    details.update(customer)
    staff = staff or service.staff.get()
    return services.book(
        service=service, staff=staff, start=start or slot(), customer=services.CustomerDetails(**details)
    )


def run_jobs() -> int:
    return Worker(queues={"notifications"}).run_once()


def make_due(kind: str | None = None) -> None:
    """Time travel for scheduled jobs: everything pending in the notifications queue becomes due now."""
    jobs = Job.objects.filter(queue="notifications", state=Job.State.PENDING)
    if kind:
        jobs = jobs.filter(kind=kind)
    jobs.update(run_after=timezone.now())


def workflow(tenant: Tenant, **fields: Any) -> Workflow:
    values: dict[str, Any] = {
        "name": "Confirmation",
        "trigger": Trigger.BOOKING_CONFIRMED,
        "channel": Channel.EMAIL,
        "to_customer": True,
        "subject_template": "Confirmed: {service_name}",
        "body_template": "Hello {customer_name}, see you {appointment_date} at {appointment_start_time}.",
        "attach_invitation": False,
    }
    values.update(fields)
    created = Workflow(tenant=tenant, **values)
    created.full_clean()
    created.save()
    return created


# --- a real SMTP server -------------------------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refused: list[EmailMessage] = []
        # Replies to give instead of accepting, first to last ("451 ..." makes the sender try again).
        self.refusals: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if self.refusals:
            self.refused.append(message)  # type: ignore[arg-type]
            return self.refusals.pop(0)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings) -> Iterator[Inbox]:
    """Rendez's email goes over SMTP to this inbox."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "Rendez <bookings@rendez.test>"
    yield inbox
    controller.stop()


def invitation_of(message: EmailMessage):
    """The message's one calendar part, parsed by `ical` (another library than the one that wrote it)."""
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    raw = parts[0].get_content()
    text = raw.decode() if isinstance(raw, bytes) else raw
    return IcsCalendarStream.calendar_from_ics(text), parts[0]


def plain_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]


# --- a local HTTP server standing in for the vendors --------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    form: dict[str, str]
    json: Any
    authorization: tuple[str, str] | None


@dataclass
class FakeVendor:
    """Records every request; answers with queued (status, json) pairs, else with `default`."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    replies: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    default: tuple[int, Any] = (200, {"ok": True})

    def reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.replies.append((status, body, headers or {}))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data(cache=True)
        auth = request.authorization
        self.requests.append(
            Recorded(
                method=request.method,
                path=request.path,
                headers=dict(request.headers),
                body=body,
                form=dict(request.form) if request.mimetype == "application/x-www-form-urlencoded" else {},
                json=request.get_json(silent=True),
                authorization=(auth.username or "", auth.password or "")
                if auth and auth.type == "basic"
                else None,
            )
        )
        status, payload, headers = self.replies.pop(0) if self.replies else (*self.default, {})
        import json

        return Response(json.dumps(payload), status=status, mimetype="application/json", headers=headers)(
            environ, start_response
        )


@pytest.fixture
def fake_vendor(settings) -> Iterator[FakeVendor]:
    """The vendor on a loopback port, which Rendez refuses to call unless told: the test opts in for this
    port only, as an operator would with RENDEZ_HTTP_TRUSTED_HOSTS."""
    vendor = FakeVendor()
    server = make_server("127.0.0.1", 0, vendor, threaded=True)
    vendor.url = f"http://127.0.0.1:{server.server_port}"
    settings.HTTP_TRUSTED_HOSTS = [f"127.0.0.1:{server.server_port}"]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield vendor
    server.shutdown()
    thread.join()


def job_of(delivery: Delivery) -> Job:
    delivery.refresh_from_db()
    assert delivery.job is not None
    return delivery.job
