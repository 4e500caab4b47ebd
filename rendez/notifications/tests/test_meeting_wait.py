"""A message showing the meeting waits (bounded) for the meeting instead of going out with an empty link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.jobs.models import Job
from rendez.notifications.compose import LINK_FOLLOWS_LINE
from rendez.notifications.models import Delivery
from rendez.notifications.tests.fixtures import book, job_of, make_due, run_jobs, workflow

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
    assert (job.attempts, job.max_attempts) == (0, 6)  # waiting does not spend the delivery's attempts


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


def test_a_failed_meeting_sends_at_once_saying_the_link_follows(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    _meeting(booking, Meeting.State.FAILED, last_error="grant revoked")
    run_jobs()
    [message] = mail.outbox
    assert message.body == f"Hi Carla Customer\n{LINK_FOLLOWS_LINE}\nBye"
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.SENT and delivery.link_follows
    assert delivery.note == "meeting failed: sent without a meeting link"


def test_staff_are_not_promised_a_link(tenant, zoom_service):
    workflow(tenant, to_customer=False, to_staff=True, body_template=BODY)
    booking = book(zoom_service)
    _meeting(booking, Meeting.State.FAILED, last_error="grant revoked")
    run_jobs()
    [message] = mail.outbox
    assert message.body == "Hi Carla Customer\nBye"  # conferencing tells them why, and what to do
    assert not Delivery.objects.get().link_follows


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
    assert message.body == f"Hi Carla Customer\n{LINK_FOLLOWS_LINE}\nBye"
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
    assert message.body == f"Hi Carla Customer\n{LINK_FOLLOWS_LINE}\nBye"
    assert Delivery.objects.get().note == "meeting deleted: sent without a meeting link"


# --- the meeting made: waiting messages go at once, a promised link follows ---------------------------------


def _ready(meeting: Meeting) -> None:
    """What conferencing does when it has made the meeting: record it ready and enqueue meeting_ready."""
    from rendez.notifications import followups

    Meeting.objects.filter(pk=meeting.pk).update(
        state=Meeting.State.READY, external_id="8123", join_url="https://zoom.test/j/8123", password="Qw3rty"
    )
    followups.check_again(meeting.appointment_id)


def test_notifications_subscribes_to_conferencing_s_ready_links():
    from rendez.conferencing.events import MeetingLinkReady
    from rendez.jobs.registry import get_handler
    from rendez.jobs.subscriptions import subscribers_of
    from rendez.notifications import followups, subscribers

    assert subscribers.meeting_ready in subscribers_of(MeetingLinkReady)
    [job] = subscribers.meeting_ready(MeetingLinkReady(appointment_id=5, tenant_id=2))
    assert (job.kind, job.key, job.coalesce, job.tenant_id) == (
        followups.MEETING_READY,
        "meeting-ready:5",
        True,
        2,
    )
    spec = get_handler(followups.MEETING_READY)
    assert spec is not None and spec.queue == "notifications"


def test_a_waiting_message_goes_as_soon_as_the_meeting_is_ready(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    meeting = _meeting(booking)
    run_jobs()
    assert mail.outbox == [] and Delivery.objects.get().note == "waiting for the video meeting"

    _ready(meeting)
    run_jobs()  # no time travel: meeting_ready moved the waiting job to now

    [message] = mail.outbox
    assert message.body == "Hi Carla Customer\nJoin: https://zoom.test/j/8123\nPassword: Qw3rty\nBye"
    assert Delivery.objects.get().note == ""


def test_the_link_follows_once_a_failed_meeting_is_made(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    meeting = _meeting(booking, Meeting.State.FAILED, last_error="grant revoked")
    run_jobs()
    assert LINK_FOLLOWS_LINE in mail.outbox[0].body

    _ready(meeting)
    run_jobs()
    _ready(meeting)  # a second sync of the same meeting sends nothing more
    run_jobs()

    [_, follow_up] = mail.outbox
    assert follow_up.subject.startswith("Video link: Video consult on ")
    assert "Join the video meeting: https://zoom.test/j/8123\nMeeting password: Qw3rty" in follow_up.body
    first, second = Delivery.objects.order_by("id")
    assert not first.link_follows and second.event == "meeting_link"
    assert second.recipient == "carla@example.com" and second.state == Delivery.State.SENT


def test_no_link_follows_for_a_booking_cancelled_meanwhile(tenant, zoom_service):
    from rendez.scheduling import services

    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    meeting = _meeting(booking, Meeting.State.FAILED, last_error="grant revoked")
    run_jobs()
    services.cancel_booking(booking)
    _ready(meeting)
    run_jobs()
    assert len(mail.outbox) == 1
