"""Why a booking changed reaches staff, not customers: the default staff notices of a move and a cancellation
say who made it and the reason given (through a real SMTP server); the customer's messages never carry it,
and a workflow to customers cannot use `{change_reason}`."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from rendez.notifications.defaults import install_default_workflows
from rendez.notifications.models import EventSnapshot, Trigger, Workflow
from rendez.notifications.tests.fixtures import book, make_due, plain_text, run_jobs, slot, workflow
from rendez.scheduling import services


@pytest.fixture
def smtp(smtp_server, settings):
    settings.BASE_URL = "https://rendez.test"
    return smtp_server


@pytest.fixture
def nina(tenant):
    return User.objects.create_user("nina", email="nina@acme.test", first_name="Nina", last_name="Admin")


def test_staff_hear_who_moved_and_cancelled_and_why_and_the_customer_does_not(smtp, tenant, service, nina):
    install_default_workflows(tenant)
    booking = book(service, slot(days=3))
    services.reschedule_booking(booking, start=slot(days=4), reason="Room flooded", by=nina)
    services.cancel_booking(booking, reason="Moving abroad; sorry!", by_customer=True)

    run_jobs()

    moved, cancelled = (plain_text(m) for m in smtp.to("sam@acme.test")[1:])
    assert "Changed by Nina Admin.\nReason given: Room flooded\n" in moved
    assert "is cancelled.\nChanged by the customer.\nReason given: Moving abroad; sorry!\n" in cancelled
    for message in smtp.to("carla@example.com"):
        text = plain_text(message)
        assert "Room flooded" not in text and "Moving abroad" not in text and "Reason" not in text
    assert [(s.event, s.change_reason, s.changed_by) for s in EventSnapshot.objects.order_by("id")] == [
        ("booking_created", "", ""),
        ("booking_rescheduled", "Room flooded", "Nina Admin"),
        ("booking_cancelled", "Moving abroad; sorry!", "the customer"),
    ]


def test_without_a_reason_the_line_is_left_out(smtp, tenant, service):
    install_default_workflows(tenant)
    booking = book(service, slot(days=3))
    services.cancel_booking(booking)

    run_jobs()

    cancelled = plain_text(smtp.to("sam@acme.test")[-1])
    assert "Changed by API." in cancelled and "Reason" not in cancelled


def test_a_reminder_is_about_no_change(smtp, tenant, service):
    workflow(
        tenant,
        name="Staff reminder",
        trigger=Trigger.BEFORE_START,
        offset_minutes=60,
        to_customer=False,
        to_staff=True,
        subject_template="Soon: {service_name}",
        body_template="Soon.\nReason: {change_reason}\nBy: {changed_by}\n",
    )
    booking = book(service, slot(days=3))
    services.reschedule_booking(booking, start=slot(days=4), reason="Earlier reason")
    run_jobs()
    make_due()
    run_jobs()

    (reminder,) = smtp.to("sam@acme.test")
    assert plain_text(reminder) == "Soon.\n"


def test_a_workflow_to_customers_cannot_carry_the_reason(tenant):
    with pytest.raises(ValidationError) as refused:
        workflow(tenant, body_template="Cancelled because {change_reason}")
    assert "not to customers" in refused.value.message_dict["body_template"][0]
    assert not Workflow.objects.exists()

    for_staff = workflow(
        tenant, to_customer=False, to_staff=True, to_admins=True, fixed_recipients="desk@acme.test",
        body_template="{changed_by}: {change_reason}",
    )  # fmt: skip
    assert for_staff.pk is not None
    # Who made a change is no secret: customers' messages may say it.
    assert workflow(tenant, name="Told", body_template="Changed by {changed_by}").pk is not None
