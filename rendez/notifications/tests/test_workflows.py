"""Workflow validation, event routing and the default workflows."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from rendez.notifications.defaults import DEFAULTS, install_default_workflows
from rendez.notifications.models import Channel, Delivery, RecipientKind, Trigger, Workflow
from rendez.notifications.tests.fixtures import book, run_jobs, workflow
from rendez.scheduling import services


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _errors(tenant, **fields) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        workflow(tenant, **fields)
    assert not Workflow.objects.exists()
    return caught.value.message_dict


def test_an_unknown_shortcode_is_refused_when_saved(tenant):
    errors = _errors(tenant, body_template="Hi {customer_nmae}", subject_template="{zoom_link}")
    assert "{customer_nmae}" in errors["body_template"][0]
    assert "{zoom_link}" in errors["subject_template"][0]


def test_the_host_link_is_refused_for_customers(tenant):
    errors = _errors(tenant, body_template="Start: {zoom_meeting_host_url}")
    assert "only be sent to staff" in errors["body_template"][0]


def test_the_host_link_is_refused_for_fixed_addresses(tenant):
    errors = _errors(
        tenant,
        to_customer=False,
        fixed_recipients="desk@acme.test",
        subject_template="{zoom_meeting_host_url}",
    )
    assert "only be sent to staff" in errors["body_template"][0]


def test_the_host_link_is_fine_for_staff_and_admins(tenant):
    created = workflow(
        tenant, to_customer=False, to_staff=True, to_admins=True, body_template="{zoom_meeting_host_url}"
    )
    assert created.pk


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"to_customer": False}, "fixed_recipients"),
        ({"channel": Channel.TELEGRAM}, "fixed_recipients"),
        (
            {"channel": Channel.WEBHOOK, "to_customer": False, "fixed_recipients": "ftp://x"},
            "fixed_recipients",
        ),
        ({"channel": Channel.SMS, "to_customer": False, "fixed_recipients": "0171 123"}, "fixed_recipients"),
        ({"channel": Channel.SMS, "to_admins": True}, "to_admins"),
        ({"subject_template": ""}, "subject_template"),
        ({"offset_minutes": 30}, "offset_minutes"),
        ({"trigger": Trigger.BEFORE_START, "offset_minutes": 60 * 24 * 40}, "offset_minutes"),
    ],
)
def test_unworkable_workflows_are_refused(tenant, fields, field):
    assert field in _errors(tenant, **fields)


def test_confirmed_at_once_fires_created_confirmed_and_not_status_changed(tenant, service):
    for trigger in (Trigger.BOOKING_CREATED, Trigger.BOOKING_CONFIRMED, Trigger.BOOKING_STATUS_CHANGED):
        workflow(tenant, name=trigger, trigger=trigger, subject_template=trigger)
    book(service)
    run_jobs()
    assert sorted(message.subject for message in mail.outbox) == ["booking_confirmed", "booking_created"]


def test_status_changed_fires_for_every_change_including_confirm_and_cancel(tenant, service):
    service.initial_status = "pending"
    service.save()
    for trigger in (Trigger.BOOKING_CONFIRMED, Trigger.BOOKING_CANCELLED, Trigger.BOOKING_STATUS_CHANGED):
        workflow(tenant, name=trigger, trigger=trigger, subject_template=trigger + " {booking_status}")
    booking = book(service)
    run_jobs()
    assert mail.outbox == []  # awaiting approval: not confirmed yet
    services.set_status(booking, "confirmed")
    run_jobs()
    services.cancel_booking(booking)
    run_jobs()
    assert [message.subject for message in mail.outbox] in (
        [
            "booking_confirmed Confirmed",
            "booking_status_changed Confirmed",
            "booking_cancelled Cancelled",
            "booking_status_changed Cancelled",
        ],
        [
            "booking_status_changed Confirmed",
            "booking_confirmed Confirmed",
            "booking_status_changed Cancelled",
            "booking_cancelled Cancelled",
        ],
    )


def test_other_tenants_workflows_do_not_fire(tenant, service):
    from rendez.tenants.models import Tenant

    other = Tenant.objects.create(slug="other", name="Other")
    workflow(other)
    book(service)
    run_jobs()
    assert mail.outbox == []


def test_an_event_handled_twice_sends_once(tenant, service):
    from rendez.jobs.models import Job

    workflow(tenant)
    book(service)
    run_jobs()
    Job.objects.filter(kind="notifications.booking_event").update(state="pending")
    run_jobs()
    assert Delivery.objects.count() == 1 and len(mail.outbox) == 1


def test_a_person_reached_twice_gets_one_message(tenant, service):
    workflow(tenant, fixed_recipients="CARLA@example.com")
    book(service)
    run_jobs()
    [delivery] = Delivery.objects.all()
    assert delivery.recipient_kind == RecipientKind.CUSTOMER


def test_default_workflows_install_once_and_are_valid(tenant):
    first = install_default_workflows(tenant)
    second = install_default_workflows(tenant)
    assert [w.pk for w in first] == [w.pk for w in second]
    assert Workflow.objects.filter(tenant=tenant).count() == len(DEFAULTS)
    for created in first:
        created.full_clean()
    reminders = Workflow.objects.filter(tenant=tenant, trigger=Trigger.BEFORE_START)
    assert sorted(reminders.values_list("offset_minutes", flat=True)) == [60, 24 * 60]
    assert {w.trigger for w in first} >= {
        Trigger.BOOKING_CONFIRMED,
        Trigger.BOOKING_RESCHEDULED,
        Trigger.BOOKING_CANCELLED,
    }


def test_default_workflows_leave_out_meeting_lines_for_in_person_services(tenant, service):
    install_default_workflows(tenant)
    book(service)
    run_jobs()
    to_customer = [message for message in mail.outbox if message.to == ["carla@example.com"]]
    [confirmation] = to_customer
    assert "Join the video meeting" not in confirmation.body
    assert "Therapy with Sam Staff is confirmed" in confirmation.body
