"""Starter messages: every business is born through `create_tenant` (operator page, `rendez demo`, sign-up)
and starts with the same workflows, so its first booking already sends the confirmation (issue 15, item 1:
"A new business sends nothing"). The businesses here are new ones, never the demo."""

from __future__ import annotations

from datetime import time

import pytest
from django.db import transaction
from django.test import Client

from rendez.notifications import workflows
from rendez.notifications.defaults import BUILT_IN_FOLLOWUPS, DEFAULTS
from rendez.notifications.models import Delivery, Workflow
from rendez.notifications.tests.fixtures import book, plain_text, run_jobs, slot
from rendez.scheduling.models import Service, Staff, WorkingHours
from rendez.tenants import operations
from rendez.tenants.models import Membership, Tenant
from rendez.tenants.signals import tenant_created
from rendez.web.panel.tests.fixtures import PASSWORD, signed_in

pytestmark = pytest.mark.django_db


def _open_for_business(tenant: Tenant) -> Service:
    sam = Staff.objects.create(
        tenant=tenant, name="Sam Staff", email="sam@carol.test", timezone="America/New_York"
    )
    for weekday in range(7):
        WorkingHours.objects.create(staff=sam, weekday=weekday, start_time=time(0, 0), end_time=time(23, 30))
    haircut = Service.objects.create(tenant=tenant, name="Haircut", duration_minutes=30)
    haircut.staff.add(sam)
    return haircut


@pytest.fixture
def otto_client(django_user_model) -> Client:
    otto = django_user_model.objects.create_superuser("otto", "otto@rendez.example", PASSWORD)
    client = Client()
    client.force_login(otto)
    return client


def test_a_business_made_on_the_operator_page_confirms_its_first_booking_by_email(otto_client, smtp_server):
    response = otto_client.post(
        "/operator/tenants/", {"slug": "carol", "name": "Carol's Salon", "timezone": "Europe/Paris"}
    )
    assert response.status_code == 302
    carol = Tenant.objects.get(slug="carol")
    book(_open_for_business(carol), slot())
    run_jobs()
    [message] = smtp_server.to("carla@example.com")
    assert message["Subject"].startswith("Confirmed: Haircut on ")
    assert "Carol's Salon" in plain_text(message)
    # The staff member hears of it too (the staff notice of the starter set).
    assert [m["Subject"] for m in smtp_server.to("sam@carol.test")][0].startswith("New booking: Haircut")


def test_create_tenant_installs_every_starter_workflow_once():
    carol = operations.create_tenant(slug="carol", name="Carol's Salon", timezone="Europe/Paris", plan=None)
    keys = sorted(Workflow.objects.filter(tenant=carol).values_list("default_key", flat=True))
    assert keys == sorted(default.key for default in DEFAULTS)
    assert keys == sorted(
        ["confirmation", "reschedule", "cancellation", "reminder_24h", "reminder_1h"]
        + ["staff_new_booking", "staff_rescheduled", "staff_cancelled"]
    )
    assert all(workflow.is_active for workflow in Workflow.objects.filter(tenant=carol))


def test_a_starter_workflow_switched_off_sends_nothing(smtp_server):
    carol = operations.create_tenant(slug="carol", name="Carol's Salon", timezone="Europe/Paris", plan=None)
    for workflow in Workflow.objects.filter(
        tenant=carol, default_key__in=["confirmation", "staff_new_booking"]
    ):
        workflows.set_active(workflow, False)
    book(_open_for_business(carol), slot())
    run_jobs()
    assert smtp_server.messages == []
    assert not Delivery.objects.filter(tenant=carol).exists()


def test_a_starter_workflow_is_edited_like_any_other(smtp_server):
    carol = operations.create_tenant(slug="carol", name="Carol's Salon", timezone="Europe/Paris", plan=None)
    confirmation = Workflow.objects.get(tenant=carol, default_key="confirmation")
    data = {
        field: getattr(confirmation, field)
        for field in ["name", "trigger", "offset_minutes", "channel", "to_customer", "to_staff", "to_admins"]
    }
    data.update(
        fixed_recipients="",
        subject_template="See you soon, {customer_name}",
        body_template="Your {service_name} is booked.",
        attach_invitation=True,
        is_active=True,
    )
    workflows.update_workflow(confirmation, data)
    book(_open_for_business(carol), slot())
    run_jobs()
    [message] = smtp_server.to("carla@example.com")
    assert message["Subject"] == "See you soon, Carla Customer"


def test_a_receiver_that_fails_leaves_no_business_behind():
    def refuse(sender, tenant, **kwargs):
        raise RuntimeError("the starter messages could not be installed")

    tenant_created.connect(refuse, dispatch_uid="test.refuse")
    try:
        with pytest.raises(RuntimeError):
            operations.create_tenant(slug="carol", name="Carol's Salon", timezone="UTC", plan=None)
    finally:
        tenant_created.disconnect(dispatch_uid="test.refuse")
    assert not Tenant.objects.filter(slug="carol").exists()
    assert not Workflow.objects.filter(tenant__slug="carol").exists()


def test_a_rolled_back_creation_leaves_no_workflows():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        operations.create_tenant(slug="carol", name="Carol's Salon", timezone="UTC", plan=None)
        1 / 0  # noqa: B018 - the caller's transaction fails after the tenant was made
    assert not Workflow.objects.exists()


def test_the_admin_of_a_new_business_sees_the_starter_workflows_and_the_built_in_follow_ups(
    django_user_model,
):
    carol = operations.create_tenant(slug="carol", name="Carol's Salon", timezone="UTC", plan=None)
    owner = django_user_model.objects.create_user("carol", "carol@carol.test", PASSWORD)
    Membership.objects.create(user=owner, tenant=carol, role=Membership.Role.ADMIN)
    page = signed_in(owner, carol).get("/panel/messages/").content.decode()
    for default in DEFAULTS:
        assert default.name in page
    for followup in BUILT_IN_FOLLOWUPS:
        assert followup.name in page
