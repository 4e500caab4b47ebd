"""Messages in the panel: workflows validated by the model's rules, deliveries, and the tenant's dead jobs
re-run through the jobs app; other tenants, staff and POSTs without CSRF refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rendez.jobs.models import Job
from rendez.notifications.models import Delivery, Trigger, Workflow
from rendez.scheduling.tests.factories import book
from rendez.tenants.models import Tenant
from rendez.web.panel.messages import deadjobs
from rendez.web.panel.tests.fixtures import berlin, signed_in

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Thank you",
    "trigger": "booking_confirmed",
    "offset_minutes": "0",
    "channel": "email",
    "to_customer": "on",
    "fixed_recipients": "",
    "subject_template": "See you, {customer_name}",
    "body_template": "Your {service_name} on {appointment_date}.",
    "attach_invitation": "on",
    "is_active": "on",
}


def dead(payload: dict, tenant: Tenant | None, kind: str = "notifications.booking_event") -> Job:
    now = timezone.now()
    return Job.objects.create(
        kind=kind,
        payload=payload,
        tenant_id=tenant.pk if tenant else None,
        state=Job.State.DEAD,
        attempts=10,
        max_attempts=10,
        run_after=now,
        finished_at=now,
        last_error="SMTP refused",
    )


@pytest.fixture
def booking(consultation, dora, monday):
    return book(consultation, dora, berlin(monday, 10), "Charlie", now=berlin(monday, 6) - timedelta(days=7))


def test_an_admin_creates_a_workflow(ada_client, alice):
    page = ada_client.get("/panel/messages/workflows/new/")
    assert page.status_code == 200
    assert b"shortcodes.js" in page.content and b'data-shortcode="customer_name"' in page.content
    response = ada_client.post("/panel/messages/workflows/new/", FORM)
    assert response.status_code == 302, response.content.decode()
    workflow = Workflow.objects.get(tenant=alice, name="Thank you")
    assert workflow.subject_template == "See you, {customer_name}" and workflow.to_customer
    listing = ada_client.get("/panel/messages/")
    assert b"Thank you" in listing.content and b"Booking confirmed" in listing.content
    assert b'href="/panel/messages/"' in listing.content  # the nav link


def test_an_unknown_shortcode_is_refused_in_words(ada_client, alice):
    response = ada_client.post("/panel/messages/workflows/new/", {**FORM, "body_template": "Hi {cusomer}"})
    assert response.status_code == 400
    assert "Unknown shortcode(s): {cusomer}" in response.content.decode()
    assert not Workflow.objects.filter(tenant=alice, name="Thank you").exists()


def test_the_host_link_is_never_sent_to_customers(ada_client, alice):
    data = {**FORM, "body_template": "Start: {zoom_meeting_host_url}"}
    response = ada_client.post("/panel/messages/workflows/new/", data)
    assert response.status_code == 400
    assert "not to customers or fixed addresses" in response.content.decode()
    data = {**FORM, "to_customer": "", "to_staff": "on", "body_template": "Start: {zoom_meeting_host_url}"}
    assert ada_client.post("/panel/messages/workflows/new/", data).status_code == 302


def test_an_admin_edits_and_switches_a_workflow(ada_client, alice):
    workflow = Workflow.objects.create(
        tenant=alice,
        name="Old",
        trigger=Trigger.BOOKING_CREATED,
        to_customer=True,
        subject_template="S",
        body_template="B",
    )
    page = ada_client.get(f"/panel/messages/workflows/{workflow.pk}/")
    assert page.status_code == 200 and b'value="Old"' in page.content
    assert ada_client.post(f"/panel/messages/workflows/{workflow.pk}/", FORM).status_code == 302
    workflow.refresh_from_db()
    assert (workflow.name, workflow.trigger) == ("Thank you", "booking_confirmed")
    ada_client.post(f"/panel/messages/workflows/{workflow.pk}/active/", {})
    workflow.refresh_from_db()
    assert workflow.is_active is False
    ada_client.post(f"/panel/messages/workflows/{workflow.pk}/active/", {"active": "on"})
    workflow.refresh_from_db()
    assert workflow.is_active is True


def test_another_tenants_workflow_and_job_answer_404(olga_client, alice, booking):
    workflow = Workflow.objects.create(tenant=alice, name="Alice's", trigger=Trigger.BOOKING_CREATED)
    job = dead({"booking_id": booking.pk}, alice)
    assert olga_client.get(f"/panel/messages/workflows/{workflow.pk}/").status_code == 404
    assert olga_client.post(f"/panel/messages/workflows/{workflow.pk}/", FORM).status_code == 404
    assert olga_client.post(f"/panel/messages/workflows/{workflow.pk}/active/", {}).status_code == 404
    assert olga_client.post(f"/panel/messages/dead-jobs/{job.pk}/rerun/").status_code == 404
    assert b"SMTP refused" not in olga_client.get("/panel/messages/dead-jobs/").content
    job.refresh_from_db()
    workflow.refresh_from_db()
    assert job.state == Job.State.DEAD and workflow.name == "Alice's"


def test_staff_are_refused(dora_client):
    for url in (
        "/panel/messages/",
        "/panel/messages/workflows/new/",
        "/panel/messages/deliveries/",
        "/panel/messages/dead-jobs/",
    ):
        assert dora_client.get(url).status_code == 404


def test_posts_without_csrf_are_refused(ada, alice):
    client = signed_in(ada, alice, enforce_csrf_checks=True)
    response = client.post("/panel/messages/workflows/new/", FORM)
    assert response.status_code == 403
    assert not Workflow.objects.filter(tenant=alice, name="Thank you").exists()


def test_the_deliveries_list_filters_by_status(ada_client, alice, bob, booking):
    common = {
        "tenant": alice,
        "booking": booking,
        "event": "booking_created",
        "channel": "email",
        "recipient_kind": "customer",
    }
    Delivery.objects.create(**common, dedupe_key="a", recipient="sent@example.com", state="sent")
    Delivery.objects.create(
        **common, dedupe_key="b", recipient="failed@example.com", state="failed", note="address refused"
    )
    page = ada_client.get("/panel/messages/deliveries/").content.decode()
    assert "sent@example.com" in page and "failed@example.com" in page and "address refused" in page
    page = ada_client.get("/panel/messages/deliveries/?state=failed").content.decode()
    assert "sent@example.com" not in page and "failed@example.com" in page


def test_the_deliveries_list_pages_back_through_older_ones(ada_client, alice, booking, monkeypatch):
    from rendez.web.panel.messages import views

    monkeypatch.setattr(views, "RECENT", 2)
    common = {"tenant": alice, "booking": booking, "event": "booking_created", "channel": "email"}
    for n in range(5):
        Delivery.objects.create(
            **common, recipient_kind="customer", dedupe_key=f"k{n}", recipient=f"r{n}@example.com"
        )
    first = ada_client.get("/panel/messages/deliveries/").content.decode()
    assert "r4@" in first and "r3@" in first and "r2@" not in first
    older = first.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = ada_client.get("/panel/messages/deliveries/" + older).content.decode()
    assert "r2@" in second and "r1@" in second and "r3@" not in second and "Newest" in second
    last_link = second.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    last = ada_client.get("/panel/messages/deliveries/" + last_link).content.decode()
    assert "r0@" in last and 'rel="next"' not in last


def test_a_dead_job_of_the_tenant_is_rerun(ada_client, alice, booking):
    job = dead({"booking_id": booking.pk}, alice)
    page = ada_client.get("/panel/messages/dead-jobs/").content.decode()
    assert f"#{job.pk}" in page and "SMTP refused" in page and "Re-run" in page
    response = ada_client.post(f"/panel/messages/dead-jobs/{job.pk}/rerun/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == Job.State.PENDING and job.max_attempts > job.attempts
    assert ada_client.post(f"/panel/messages/dead-jobs/{job.pk}/rerun/").status_code == 404  # not dead


def test_the_jobs_a_booking_enqueues_are_its_tenants_when_they_die(alice, bob, booking):
    booking_jobs = Job.objects.filter(pk__in=list(Job.objects.values_list("pk", flat=True)))
    assert booking_jobs.exists()
    assert set(booking_jobs.values_list("tenant_id", flat=True)) == {alice.pk}
    booking_jobs.update(state=Job.State.DEAD, finished_at=timezone.now())
    bobs = dead({"booking_id": 10**9}, bob)
    dead({"token": "x", "mode": "m"}, None, kind="zoom.revoke")  # enqueued for no tenant

    listed = deadjobs.dead_jobs_of(alice)

    assert [job.pk for job in listed] == sorted(booking_jobs.values_list("pk", flat=True), reverse=True)
    assert {deadjobs.reference_label(job) for job in listed} >= {f"booking {booking.pk}"}
    assert [job.pk for job in deadjobs.dead_jobs_of(bob)] == [bobs.pk]
