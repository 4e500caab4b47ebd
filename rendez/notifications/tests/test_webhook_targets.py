"""A tenant's webhook never reaches this host or its network: loopback, private addresses and names that
resolve to them are refused before any connection, and the delivery says why. A real receiver listens on
loopback to show that nothing arrives.

Such URLs are refused when a workflow is saved too (test_saved_urls.py); the workflows here were saved before
that check existed, which is what the send-time check is still for (with names that resolve elsewhere)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from emulator_kit.serving import QuietRequestHandler
from rendez.jobs.models import Job
from rendez.notifications.models import Channel, Delivery, Trigger, Workflow
from rendez.notifications.tests.fixtures import FakeVendor, book, job_of, run_jobs

REFUSED = "only public addresses may be called"


@pytest.fixture
def receiver(settings) -> Iterator[FakeVendor]:
    """A webhook receiver on loopback that no setting trusts: the installation's defaults."""
    settings.NOTIFICATIONS_WEBHOOK_SECRET = "whsec-acme"
    listening = FakeVendor()
    server = make_server("127.0.0.1", 0, listening, threaded=True, request_handler=QuietRequestHandler)
    listening.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield listening
    server.shutdown()
    server.server_close()


def deliver_webhook_to(tenant, service, url: str) -> Delivery:
    """A webhook workflow saved as it was before URLs were checked on save (no `full_clean`)."""
    Workflow.objects.create(
        tenant=tenant,
        name="Hook",
        trigger=Trigger.BOOKING_CONFIRMED,
        channel=Channel.WEBHOOK,
        fixed_recipients=url,
        body_template="{customer_name} booked",
    )
    book(service)
    run_jobs()
    return Delivery.objects.get()


def assert_refused(delivery: Delivery, reason: str) -> None:
    """Failed at once (retrying cannot help), with the reason on the delivery and its job."""
    assert delivery.state == Delivery.State.FAILED
    assert delivery.last_error == reason
    job = job_of(delivery)
    assert job.state == Job.State.DEAD and job.attempts == 1


def test_a_webhook_to_loopback_is_refused_and_nothing_arrives(tenant, service, receiver):
    delivery = deliver_webhook_to(tenant, service, f"{receiver.url}/hooks/rendez")

    assert_refused(delivery, f"refusing the non-public address 127.0.0.1: {REFUSED}")
    assert receiver.requests == []


def test_a_webhook_to_localhost_is_refused(tenant, service, receiver):
    port = receiver.url.rsplit(":", 1)[1]

    delivery = deliver_webhook_to(tenant, service, f"http://localhost:{port}/hooks/rendez")

    assert_refused(
        delivery,
        f"refusing localhost: the name is reserved for this machine or private networks; {REFUSED}",
    )
    assert receiver.requests == []


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "10.20.30.40", "192.168.1.20", "[fd00::1]", "[::ffff:172.16.0.1]"],
)
def test_a_webhook_to_a_private_address_is_refused(tenant, service, receiver, address):
    delivery = deliver_webhook_to(tenant, service, f"http://{address}/latest/meta-data/")

    assert_refused(delivery, f"refusing the non-public address {address.strip('[]')}: {REFUSED}")


def test_the_zoom_emulators_origin_is_no_door_for_tenants(settings, tenant, service, receiver):
    """Zoom's configured base URL may be local (the emulator), for the Zoom client only."""
    settings.ZOOM_API_BASE_URL = f"{receiver.url}/v2"
    settings.ZOOM_OAUTH_BASE_URL = receiver.url

    delivery = deliver_webhook_to(tenant, service, f"{receiver.url}/v2/users/me/meetings")

    assert_refused(delivery, f"refusing the non-public address 127.0.0.1: {REFUSED}")
    assert receiver.requests == []
