"""Scale-out, as docs/operations.md deploys it: two gunicorn web servers and two `rendez worker` processes on
one PostgreSQL, with Zoom (the emulator) and SMTP (aiosmtpd) over the network, under concurrent bookings.

Every slot is wanted by two customers at once, through different web servers. Afterwards nothing may be lost
or done twice: one booking per slot, one confirmation email per booking (with its own Message-ID and the
meeting's link), one Zoom meeting per appointment, every job finished exactly once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx2
import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.jobs.models import Job
from rendez.notifications.models import Channel, Delivery, Trigger, Workflow
from rendez.notifications.tests.fixtures import Inbox, free_port, invitation_of
from rendez.scheduling.models import Booking, Service, Staff
from rendez.scheduling.tests.factories import make_api_key, make_service, make_staff, make_tenant
from rendez.tenants.models import Tenant
from rendez.tests.processes import Processes, processes, wait_for  # noqa: F401 - the fixture
from zoom_emulator import Emulator
from zoom_emulator.testing import RunningEmulator, run_emulator

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WEB_PORTS = (18801, 18802)
SLOTS_PER_STAFF = 15
# Users of the emulator's default seed, in its S2S app's account.
ZOOM_STAFF = {
    "Maria Koch": "maria.koch@demo-clinic.example",
    "Jonas Weber": "jonas.weber@demo-clinic.example",
}
S2S = {
    "account_id": "demo-account",
    "client_id": "rendez-demo-s2s",
    "client_secret": "rendez-demo-s2s-secret",
}
JOB_OUTCOME = re.compile(r"job (\d+) ([\w.]+) attempt (\d+) -> (\w+)")


@dataclass(frozen=True)
class Attempt:
    port: int
    staff_id: int
    start: datetime
    email: str


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, dict[str, str]]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(controller.port)}
    controller.stop()


@pytest.fixture
def zoom() -> Iterator[RunningEmulator]:
    with run_emulator(Emulator()) as running:
        yield running


@pytest.fixture
def clinic(db) -> tuple[Tenant, Service, list[Staff]]:
    tenant = make_tenant("clinic", name="Demo Clinic", timezone="UTC")
    everyday = range(7)
    staff = [
        make_staff(tenant, name, timezone="UTC", days=everyday, hours=[(time(8), time(18))])
        for name in ZOOM_STAFF
    ]
    for member in staff:
        member.email = ZOOM_STAFF[member.name]
        member.save(update_fields=["email"])
    service = make_service(tenant, *staff, name="Video consultation", zoom_enabled=True)
    tenant_settings.update(tenant, {"enabled": True})
    Workflow.objects.create(
        tenant=tenant,
        name="Confirmation",
        trigger=Trigger.BOOKING_CONFIRMED,
        channel=Channel.EMAIL,
        to_customer=True,
        subject_template="Confirmed: {service_name}",
        body_template="See you at {appointment_start_time}. Join: {zoom_meeting_url}",
        attach_invitation=True,
    )
    return tenant, service, staff


def test_two_web_and_two_worker_processes_lose_nothing_and_do_nothing_twice(
    processes: Processes,  # noqa: F811 - the fixture, imported above
    smtp,
    zoom: RunningEmulator,
    clinic,
):
    inbox, smtp_env = smtp
    tenant, service, staff = clinic
    env = {
        **smtp_env,
        "DEFAULT_FROM_EMAIL": "Demo Clinic <bookings@rendez.test>",
        "ZOOM_OAUTH_BASE_URL": zoom.base_url,
        "ZOOM_API_BASE_URL": zoom.api_base_url,
        "ZOOM_CONNECTION_MODES": "tenant_s2s",
        "RENDEZ_BASE_URL": f"http://127.0.0.1:{WEB_PORTS[0]}",
    }
    # One sync gunicorn worker each: two web processes, as two machines would run them (on this test's
    # shared cores more would only slow the start).
    webs = [processes.web(port, workers=1, env=env, wait=False) for port in WEB_PORTS]
    workers = [processes.worker("--concurrency", "2", env=env) for _ in range(2)]
    for web, port in zip(webs, WEB_PORTS, strict=True):
        processes.wait_until_serving(web, port)
    key = make_api_key(tenant)
    connected = api(WEB_PORTS[1], key, "PUT", "/integrations/zoom/s2s", S2S)
    assert connected.status_code == 200, connected.text

    attempts = contended_attempts(service, staff)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda attempt: book(attempt, service, key), attempts))

    won = [attempt for attempt, answer in zip(attempts, answers, strict=True) if answer.status_code == 201]
    assert Counter(answer.status_code for answer in answers) == {
        201: len(attempts) // 2,
        409: len(attempts) // 2,
    }
    wait_for(lambda: len(inbox.messages) >= len(won) and all_jobs_settled(), 60, "every job to finish")

    assert_one_booking_per_slot(won)
    assert_one_confirmation_per_booking(inbox, won)
    assert_one_meeting_per_appointment(zoom, len(won))
    assert_every_job_succeeded_once(processes.logs(), workers)


def contended_attempts(service: Service, staff: list[Staff]) -> list[Attempt]:
    """Two customers for every slot, each through a different web server."""
    first_day = (timezone.now() + timedelta(days=2)).date()
    attempts = []
    for member in staff:
        for number in range(SLOTS_PER_STAFF):
            start = datetime.combine(first_day, time(8), tzinfo=UTC) + timedelta(minutes=30 * number)
            for port in WEB_PORTS:
                email = f"customer-{member.pk}-{number}-{port}@example.com"
                attempts.append(Attempt(port, member.pk, start, email))
    return attempts


def api(port: int, key: str, method: str, path: str, body: dict[str, Any]) -> httpx2.Response:
    url = f"http://127.0.0.1:{port}/api/v1{path}"
    return httpx2.request(method, url, json=body, headers={"Authorization": f"Bearer {key}"}, timeout=30)


def book(attempt: Attempt, service: Service, key: str) -> httpx2.Response:
    body = {
        "service_id": service.pk,
        "staff_id": attempt.staff_id,
        "start": attempt.start.isoformat(),
        "customer": {"name": "Customer", "email": attempt.email},
    }
    return api(attempt.port, key, "POST", "/bookings", body)


def all_jobs_settled() -> bool:
    return not Job.objects.filter(state__in=[Job.State.PENDING, Job.State.RUNNING]).exists()


def assert_one_booking_per_slot(won: list[Attempt]) -> None:
    bookings = Booking.objects.select_related("appointment", "customer")
    slots = Counter((booking.appointment.staff_id, booking.appointment.start) for booking in bookings)
    assert len(slots) == len(won) and set(slots.values()) == {1}
    assert {booking.customer.email for booking in bookings} == {attempt.email for attempt in won}


def assert_one_confirmation_per_booking(inbox: Inbox, won: list[Attempt]) -> None:
    assert Counter(message["To"] for message in inbox.messages) == Counter(attempt.email for attempt in won)
    stored = dict(Delivery.objects.values_list("recipient", "message_id"))
    assert {message["To"]: message["Message-ID"] for message in inbox.messages} == stored
    assert len(set(stored.values())) == len(won)
    join_urls = dict(Meeting.objects.values_list("appointment__bookings__customer__email", "join_url"))
    for message in inbox.messages:
        # The message waited for the meeting another worker made, however the jobs were spread.
        calendar, _ = invitation_of(message)
        assert calendar.events[0].location == join_urls[message["To"]]


def assert_one_meeting_per_appointment(zoom: RunningEmulator, bookings: int) -> None:
    meetings = list(Meeting.objects.values_list("appointment_id", "external_id", "state"))
    assert len({appointment for appointment, _, _ in meetings}) == bookings
    assert len({external for _, external, _ in meetings}) == bookings
    assert {state for _, _, state in meetings} == {"ready"}
    created = [entry for entry in zoom.control.requests("POST", "/v2/users/*") if entry["status"] == 201]
    assert len(created) == bookings
    assert len(zoom.emulator.state.meetings) == bookings


def assert_every_job_succeeded_once(logs: str, workers: list) -> None:
    succeeded = Counter(
        int(job) for job, _, _, outcome in JOB_OUTCOME.findall(logs) if outcome == "succeeded"
    )
    assert succeeded, f"no job outcome found in the workers' logs (has their format changed?)\n{logs[-3000:]}"
    assert set(succeeded.values()) == {1}, [job for job, count in succeeded.items() if count > 1]
    in_table = set(Job.objects.filter(state=Job.State.SUCCEEDED).values_list("pk", flat=True))
    assert Job.objects.exclude(state=Job.State.SUCCEEDED).count() == 0
    assert set(succeeded) == in_table
    for worker in workers:  # the work was shared, not done by one process while the other idled
        assert " -> succeeded" in worker.output()
