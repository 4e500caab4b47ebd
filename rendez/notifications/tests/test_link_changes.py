"""The link a person was last sent is the live one: a new link follows whenever the meeting people hold
changes (issue 14). Meetings are written as conferencing leaves them; the real notification jobs run."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core import mail

from rendez.conferencing.models import Meeting
from rendez.jobs.models import Job
from rendez.notifications import followups
from rendez.notifications.models import Delivery
from rendez.notifications.tests.fixtures import book, run_jobs, workflow

BODY = "Hi {customer_name}\nJoin: {zoom_meeting_url}\nPassword: {zoom_meeting_password}\nBye"
OLD, NEW = "https://zoom.test/j/111", "https://zoom.test/j/222"


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _live(booking, link: str, external_id: str) -> Meeting:
    meeting, _ = Meeting.objects.update_or_create(
        appointment=booking.appointment,
        defaults={
            "tenant": booking.tenant,
            "state": Meeting.State.READY,
            "external_id": external_id,
            "join_url": link,
            "password": "Pw" + external_id,
            "host_staff_id": booking.appointment.staff_id,
        },
    )
    followups.check_again(booking.appointment_id)
    return meeting


def test_a_message_records_the_link_it_carried(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    _live(booking, OLD, "111")
    run_jobs()
    assert Delivery.objects.get().meeting_link == OLD


def test_a_replaced_meeting_sends_the_new_link_once_saying_the_old_one_is_dead(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    _live(booking, OLD, "111")
    run_jobs()

    _live(booking, NEW, "222")
    run_jobs()
    followups.check_again(booking.appointment_id)  # a second look sends nothing more
    run_jobs()

    [_, changed] = mail.outbox
    assert changed.subject.startswith("New video link: ")
    assert NEW in changed.body and "Pw222" in changed.body and OLD not in changed.body
    assert "no longer work" in changed.body
    latest = Delivery.objects.latest("id")
    assert (latest.event, latest.meeting_link) == ("meeting_link_changed", NEW)


def test_a_customer_sent_no_link_while_video_was_off_gets_it_once_there_is_a_meeting(tenant, zoom_service):
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    Job.objects.filter(kind="conferencing.sync").delete()  # video was off: no meeting is coming
    run_jobs()  # out without a link
    assert Delivery.objects.get().meeting_link == ""

    _live(booking, NEW, "222")
    run_jobs()

    [_, follow_up] = mail.outbox
    assert follow_up.subject.startswith("Video link: ") and NEW in follow_up.body


def test_staff_are_sent_a_new_link_only_when_they_held_another(tenant, zoom_service):
    workflow(tenant, body_template=BODY, to_customer=False, to_staff=True)
    booking = book(zoom_service)
    Job.objects.filter(kind="conferencing.sync").delete()
    run_jobs()  # went without a link: staff start meetings from Rendez, nothing owed
    _live(booking, OLD, "111")
    run_jobs()
    assert len(mail.outbox) == 1

    Delivery.objects.update(meeting_link=OLD)
    _live(booking, NEW, "222")
    run_jobs()
    [_, changed] = mail.outbox
    assert NEW in changed.body and changed.to == [booking.appointment.staff.email]


def test_earlier_messages_are_taken_to_carry_the_link_in_their_text(tenant, zoom_service):
    """The data migration: messages sent before the link was recorded are not sent it again."""
    migration = importlib.import_module(
        "rendez.notifications.migrations.0006_delivery_meeting_link_of_earlier_messages"
    )
    workflow(tenant, body_template=BODY)
    booking = book(zoom_service)
    _live(booking, OLD, "111")
    run_jobs()
    Delivery.objects.update(meeting_link="")

    migration.earlier_messages_carried_the_live_link(apps, None)

    assert Delivery.objects.get().meeting_link == OLD
    followups.check_again(booking.appointment_id)
    run_jobs()
    assert len(mail.outbox) == 1
