"""A message showing the meeting waits (bounded) for the meeting instead of going out with an empty link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.jobs.models import Job
from rendez.notifications.models import Delivery
from rendez.notifications.tests.conftest import book, job_of, make_due, run_jobs, workflow

BODY = "Hi {customer_name}\nJoin: {zoom_meeting_url}\nPassword: {zoom_meeting_password}\nBye"


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATIONS_MEETING_WAIT_SECONDS = 120


def _meeting(booking, state=Meeting.State.PENDING, **fields):
    return Meeting.objects.create(
        tenant=booking.tenant, appointment=booking.appointment, state=state, **fields
    )


def test_a_pending_meeting_makes_the_message_wait(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    _meeting(booking)
    run_jobs()
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING
    assert mail.outbox == []
    job = job_of(delivery)
    assert job.state == Job.State.PENDING and "waiting for the meeting" in job.last_error
    assert 0 < (job.run_after - timezone.now()).total_seconds() <= 10
    assert job.max_attempts > 6  # waiting does not spend the delivery's attempts


def test_the_message_goes_out_with_the_link_once_the_meeting_is_ready(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    meeting = _meeting(booking)
    run_jobs()
    Meeting.objects.filter(pk=meeting.pk).update(
        state=Meeting.State.READY, join_url="https://zoom.test/j/99", password="Xy12ab"
    )
    make_due()
    run_jobs()
    [message] = mail.outbox
    assert message.body == "Hi Carla Customer\nJoin: https://zoom.test/j/99\nPassword: Xy12ab\nBye"
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.SENT and delivery.note == ""


def test_a_failed_meeting_sends_at_once_without_the_link_lines(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    _meeting(booking, Meeting.State.FAILED, last_error="grant revoked")
    run_jobs()
    [message] = mail.outbox
    assert message.body == "Hi Carla Customer\nBye"
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.SENT
    assert delivery.note == "meeting failed: sent without a meeting link"


def test_the_wait_is_bounded(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    _meeting(booking)
    run_jobs()
    assert mail.outbox == []
    Delivery.objects.update(created_at=timezone.now() - timedelta(seconds=121))
    make_due()
    run_jobs()
    [message] = mail.outbox
    assert message.body == "Hi Carla Customer\nBye"
    assert Delivery.objects.get().note == "meeting not ready after 120s: sent without a meeting link"


def test_a_service_without_zoom_does_not_wait(tenant, service):
    workflow(tenant, body_template=BODY)
    book(service)
    run_jobs()
    assert len(mail.outbox) == 1


def test_no_meeting_and_none_coming_does_not_wait(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    book(zoom_service)
    Job.objects.filter(kind="conferencing.sync").update(state=Job.State.SUCCEEDED)
    run_jobs()
    assert len(mail.outbox) == 1


def test_no_meeting_yet_but_a_sync_queued_waits(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    book(zoom_service)  # enqueues conferencing.sync for the appointment
    run_jobs()
    assert mail.outbox == []
    assert Delivery.objects.get().state == Delivery.State.PENDING


def test_messages_without_the_meeting_do_not_wait(tenant, zoom_service):
    workflow(tenant, body_template="Hi {customer_name}", attach_invitation=False)
    booking = book(zoom_service)
    _meeting(booking)
    run_jobs()
    assert len(mail.outbox) == 1


def test_an_email_with_an_invitation_waits_for_its_location(tenant, zoom_service):
    workflow(tenant, body_template="Hi {customer_name}", attach_invitation=True)
    booking = book(zoom_service)
    _meeting(booking)
    run_jobs()
    assert mail.outbox == []


def test_a_ready_meeting_sends_at_once_while_a_sync_is_queued(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)  # its conferencing.sync job is still queued: nothing runs it here
    _meeting(booking, Meeting.State.READY, join_url="https://zoom.test/j/7", password="p4ss")
    run_jobs()
    [message] = mail.outbox
    assert message.body == "Hi Carla Customer\nJoin: https://zoom.test/j/7\nPassword: p4ss\nBye"


def test_a_deleted_meeting_sends_at_once_without_its_old_link(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    _meeting(booking, Meeting.State.DELETED, join_url="https://zoom.test/j/7", password="p4ss")
    run_jobs()
    [message] = mail.outbox
    assert message.body == "Hi Carla Customer\nBye"
    assert Delivery.objects.get().note == "meeting deleted: sent without a meeting link"
