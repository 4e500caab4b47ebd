from __future__ import annotations

import pytest
from django.test import Client

from rendez.api.tests.fixtures import berlin, booking_body
from rendez.jobs.models import Job
from rendez.jobs.worker import Worker
from rendez.scheduling.models import Booking

pytestmark = pytest.mark.django_db

REQUEST_ID = "req-7f3a9c2e-booking"


def test_a_booking_request_id_reaches_the_logs_of_the_jobs_it_caused(
    log_lines, alice_api, consultation, dora, monday
):
    response = alice_api.client.post(
        "/api/v1/bookings",
        booking_body(consultation, dora, berlin(monday, 10)),
        content_type="application/json",
        headers={"Authorization": f"Bearer {alice_api.key}", "X-Request-ID": REQUEST_ID},
    )
    assert response.status_code == 201
    assert response["X-Request-ID"] == REQUEST_ID
    jobs = Job.objects.order_by("id")
    assert jobs.exists()
    assert {job.request_id for job in jobs} == {REQUEST_ID}

    Worker().run_once()

    lines = log_lines()
    [request_line] = [line for line in lines if line.get("event") == "request"]
    assert request_line["request_id"] == REQUEST_ID
    assert request_line["route"] == "api/v1/bookings"
    assert request_line["status"] == 201
    job_lines = [line for line in lines if line["logger"] == "rendez.jobs" and "job_id" in line]
    assert {line["job_id"] for line in job_lines} == {job.pk for job in jobs}
    assert {line["request_id"] for line in job_lines} == {REQUEST_ID}


def test_a_request_without_an_id_gets_one_in_its_response_and_logs(log_lines):
    response = Client().get("/healthz")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    assert [line["request_id"] for line in log_lines() if line.get("event") == "request"] == [request_id]


@pytest.mark.parametrize(
    "offered", ["has spaces", 'quote"d', "x" * 65, "-starts-with-a-dash", "", "naïve"], ids=repr
)
def test_an_ill_formed_incoming_id_is_replaced(offered):
    response = Client().get("/healthz", headers={"X-Request-ID": offered})

    assert response["X-Request-ID"] != offered
    assert len(response["X-Request-ID"]) == 32


def test_a_refused_customer_link_logs_the_route_not_the_manage_token(
    log_lines, alice_api, consultation, dora, monday
):
    alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, 10)))
    token = Booking.objects.get().manage_token

    response = Client(enforce_csrf_checks=True).post(f"/manage/{token}/cancel")

    assert response.status_code == 403
    lines = log_lines()
    assert any(line["logger"] == "django.security.csrf" for line in lines)
    assert not [line for line in lines if token in str(line)]
