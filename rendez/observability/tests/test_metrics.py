from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rendez.api.tests.fixtures import berlin, booking_body
from rendez.jobs import enqueue
from rendez.jobs.models import Job, WorkerPresence
from rendez.jobs.worker import Worker
from rendez.observability.metrics import zoom_endpoint, zoom_outcome
from rendez.observability.tests import handlers
from rendez.observability.tests.samples import value

pytestmark = pytest.mark.django_db


def test_metrics_need_the_bearer_token(metrics_token):
    assert Client().get("/metrics").status_code == 401
    wrong = Client().get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"] == 'Bearer realm="metrics"'


def test_without_a_token_metrics_are_closed_unless_debugging(settings):
    settings.METRICS_TOKEN = ""
    response = Client().get("/metrics")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "metrics_disabled"

    settings.DEBUG = True
    assert Client().get("/metrics").status_code == 200


def test_an_api_booking_moves_the_bookings_counter_and_the_latency_histogram(
    scrape, alice_api, consultation, dora, monday
):
    before = scrape()
    body = booking_body(consultation, dora, berlin(monday, 10))
    created = alice_api.post("/bookings", body)
    assert created.status_code == 201, created.content
    assert alice_api.post("/bookings", body).status_code == 409  # the same slot again
    after = scrape()

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("rendez_bookings_total", outcome="confirmed", reason="") == 1
    assert moved("rendez_bookings_total", outcome="refused", reason="conflict") == 1
    route = {"route": "api/v1/bookings", "method": "POST"}
    assert moved("rendez_http_request_duration_seconds_count", **route) == 2
    assert moved("rendez_http_requests_total", status="201", **route) == 1
    assert moved("rendez_http_requests_total", status="409", **route) == 1


def test_jobs_by_state_and_queue_lag_are_read_from_the_database(scrape):
    now = timezone.now()
    for _ in range(2):
        enqueue(handlers.NOOP, run_after=now - timedelta(minutes=10))
    enqueue(handlers.NOOP, run_after=now + timedelta(days=1))
    Job.objects.create(kind=handlers.NOOP, state=Job.State.DEAD, run_after=now)

    samples = scrape()

    assert value(samples, "rendez_jobs", kind=handlers.NOOP, state="pending") == 3
    assert value(samples, "rendez_jobs", kind=handlers.NOOP, state="dead") == 1
    assert 600 <= value(samples, "rendez_jobs_queue_lag_seconds", queue="default") < 700


def test_the_workers_heard_from_recently_are_a_gauge(scrape):
    now = timezone.now()
    for number, ago in enumerate([1, 30, 600]):
        WorkerPresence.objects.create(
            worker_id=f"w{number}", started_at=now, last_seen_at=now - timedelta(seconds=ago)
        )

    assert value(scrape(), "rendez_jobs_workers_seen") == 2


def test_the_worker_counts_and_times_each_attempt(scrape):
    enqueue(handlers.NOOP)
    enqueue(handlers.BROKEN)
    before = scrape()

    Worker().run_once()

    after = scrape()
    succeeded = {"kind": handlers.NOOP, "outcome": "succeeded"}
    retrying = {"kind": handlers.BROKEN, "outcome": "pending"}
    assert (
        value(after, "rendez_job_attempts_total", **succeeded)
        - value(before, "rendez_job_attempts_total", **succeeded)
        == 1
    )
    assert (
        value(after, "rendez_job_attempts_total", **retrying)
        - value(before, "rendez_job_attempts_total", **retrying)
        == 1
    )
    count = "rendez_job_duration_seconds_count"
    assert value(after, count, kind=handlers.NOOP) - value(before, count, kind=handlers.NOOP) == 1
    assert value(after, "rendez_jobs_queue_lag_seconds", queue="default") == 0


def test_zoom_endpoints_are_labelled_without_their_ids():
    assert zoom_endpoint("/users/KDcuGIm1QgePTO8WbOqwIQ/meetings") == "/users/{id}/meetings"
    assert zoom_endpoint("/users/me") == "/users/me"
    assert zoom_endpoint("/meetings/85746065432?occurrence_id=1") == "/meetings/{id}"
    assert zoom_endpoint("/users/jane@example.com/settings") == "/users/{id}/settings"


def test_zoom_outcomes_say_what_kind_of_answer_came():
    assert [zoom_outcome(s) for s in (200, 204, 401, 404, 429, 503, None)] == [
        "ok",
        "ok",
        "unauthorized",
        "client_error",
        "rate_limited",
        "server_error",
        "unreachable",
    ]


def test_requests_are_labelled_by_route_never_by_path(scrape):
    before = scrape()
    Client().get("/static/web/rendez.css")
    Client().get("/manage/a-manage-token-xyz")
    Client().get("/wp-login.php")
    Client().generic("BREW", "/healthz")
    after = scrape()

    def moved(route: str, status: str) -> float:
        labels = {"route": route, "method": "GET", "status": status}
        return value(after, "rendez_http_requests_total", **labels) - value(
            before, "rendez_http_requests_total", **labels
        )

    assert moved("<static>", "200") == 1
    assert moved("manage/<str:token>", "404") == 1
    assert moved("<unmatched>", "404") == 1
    other = {"route": "healthz", "method": "other", "status": "405"}
    assert (
        value(after, "rendez_http_requests_total", **other)
        - value(before, "rendez_http_requests_total", **other)
        == 1
    )
    assert not [key for key in after if "a-manage-token-xyz" in str(key)]
