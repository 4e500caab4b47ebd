"""A worker killed while a slow SMTP server is taking an email: the next attempt sends it again (SMTP cannot
say whether the first copy was taken), with the same Message-ID, so the receiver can drop the second copy.

Real processes: `rendez worker` subprocesses on the test database, an aiosmtpd server in this process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from rendez.jobs.models import Job
from rendez.notifications.models import Delivery
from rendez.notifications.tests.fixtures import Inbox, book, free_port, workflow
from rendez.tests.processes import Processes, processes, wait_for  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


class SlowInbox(Inbox):
    """Takes each message at once, then answers its DATA only after `delay` seconds: the window in which the
    server holds the message and the sender does not know yet."""

    delay = 5.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)
        return reply


@pytest.fixture
def slow_smtp() -> Iterator[tuple[SlowInbox, dict[str, str]]]:
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
        "DEFAULT_FROM_EMAIL": "Rendez <bookings@rendez.test>",
        # The killed worker's job is taken over this soon.
        "RENDEZ_JOBS_LEASE_SECONDS": "3",
    }
    yield inbox, env
    controller.stop()


def test_a_worker_killed_mid_send_resends_with_the_same_message_id(
    processes: Processes,  # noqa: F811 - the fixture, imported above
    slow_smtp,
    tenant,
    service,
):
    inbox, smtp_env = slow_smtp
    workflow(tenant)
    book(service)
    doomed = processes.worker(env=smtp_env)
    wait_for(lambda: inbox.messages, timeout=30, what="the SMTP server to receive the message")

    doomed.kill()  # the server has the message; the worker never hears its 250
    inbox.delay = 0
    processes.worker(env=smtp_env)
    wait_for(lambda: len(inbox.messages) == 2, timeout=30, what="the message to be sent again")

    delivery = Delivery.objects.get()
    first, second = inbox.messages
    assert first["Message-ID"] == second["Message-ID"] == delivery.message_id
    job = delivery.job
    assert job is not None
    wait_for(lambda: _state_of(job) == Job.State.SUCCEEDED, timeout=10, what="the job to finish")
    delivery.refresh_from_db()
    job.refresh_from_db()
    assert delivery.state == Delivery.State.SENT and delivery.external_id == delivery.message_id
    assert job.attempts == 2


def _state_of(job: Job) -> str:
    job.refresh_from_db(fields=["state"])
    return job.state
