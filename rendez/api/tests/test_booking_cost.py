"""What an API booking costs the database: the statements of `POST /api/v1/bookings` once the key is known,
and the response it builds from the rows it wrote instead of reading them back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rendez.api.tests.fixtures import berlin, booking_body
from rendez.conferencing.models import Meeting
from rendez.integrations.zoom.models import ZoomSettings
from rendez.jobs.models import Job
from rendez.notifications.tests.fixtures import workflow
from rendez.scheduling.models import Customer
from rendez.scheduling.tests.factories import make_service

# The service's booking questions (read to check the answers before anything is written), customer upsert,
# lock (with the service and staff), 3 calendar reads and the staff's own calendars' busy blocks (issue 18),
# appointment, booking, jobs with their NOTIFY, and the transaction's begin and commit (here a savepoint and
# its release).
MAX_STATEMENTS = 12


@pytest.fixture
def notifying(alice):
    """Alice's Zoom integration is on and customers get a confirmation email."""
    ZoomSettings.objects.create(tenant=alice, enabled=True)
    return workflow(alice)


def book_counted(api, body):
    api.get("/services")  # the key is known from an earlier call, as for any client but its first
    with CaptureQueriesContext(connection) as statements:
        response = api.post("/bookings", body)
    assert response.status_code == 201, response.content
    return response, [query["sql"] for query in statements.captured_queries]


def test_booking_a_zoom_service_with_notifications_costs_at_most_twelve_statements(
    alice_api, consultation, dora, monday, notifying
):
    response, statements = book_counted(alice_api, booking_body(consultation, dora, berlin(monday, 10)))

    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)
    assert Job.objects.filter(kind="conferencing.sync").count() == 1
    assert Job.objects.filter(kind="notifications.booking_event").count() == 1
    assert response.json()["meeting"] is None


def test_booking_a_plain_service_costs_at_most_twelve_statements(alice, alice_api, dora, monday):
    haircut = make_service(alice, dora, name="Haircut", location_type="in_person")

    response, statements = book_counted(alice_api, booking_body(haircut, dora, berlin(monday, 11)))

    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)


def test_the_customer_is_upserted_in_one_statement_before_the_staff_lock(
    alice_api, consultation, dora, monday
):
    _, statements = book_counted(alice_api, booking_body(consultation, dora, berlin(monday, 10)))

    customer = next(i for i, sql in enumerate(statements) if "scheduling_customer" in sql)
    lock = next(i for i, sql in enumerate(statements) if "scheduling_staff" in sql)
    assert customer < lock
    assert sum("scheduling_customer" in sql for sql in statements) == 1


def test_the_jobs_of_a_booking_are_inserted_in_one_statement(alice_api, consultation, dora, monday):
    _, statements = book_counted(alice_api, booking_body(consultation, dora, berlin(monday, 10)))

    assert sum("jobs_job" in sql for sql in statements) == 1
    assert Job.objects.count() == 2


def test_the_response_is_what_a_later_read_shows(alice_api, consultation, dora, monday):
    created = alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, 10))).json()

    assert alice_api.get(f"/bookings/{created['id']}").json() == created


def test_a_known_email_keeps_the_customer_and_the_response_shows_them(
    alice, alice_api, consultation, dora, monday
):
    Customer.objects.create(
        tenant=alice, name="Charlie Original", email="charlie@example.com", phone="+4930123"
    )

    body = booking_body(consultation, dora, berlin(monday, 10), name="Charlie")
    body["customer"]["email"] = "Charlie@Example.com "
    body["customer"]["phone"] = "+4930999"
    customer = alice_api.post("/bookings", body).json()["customer"]

    assert (customer["name"], customer["email"], customer["phone"]) == (
        "Charlie Original",
        "charlie@example.com",
        "+4930123",
    )
    assert Customer.objects.count() == 1


def test_joining_a_session_answers_with_its_meeting(alice, alice_api, yoga, dora, monday):
    first = alice_api.post("/bookings", booking_body(yoga, dora, berlin(monday, 10))).json()
    Meeting.objects.create(
        tenant=alice,
        appointment_id=first["appointment_id"],
        external_id="85746352413",
        join_url="https://zoom.example/j/85746352413",
        password="4821",
        state="ready",
    )

    joined = alice_api.post("/bookings", booking_body(yoga, dora, berlin(monday, 10), name="Dave")).json()

    assert joined["appointment_id"] == first["appointment_id"]
    assert joined["meeting"]["join_url"] == "https://zoom.example/j/85746352413"
    assert alice_api.get(f"/bookings/{joined['id']}").json() == joined


def test_unknown_ids_answer_404_in_the_apis_words(alice_api, bob, consultation, dora, frank, monday):
    body = booking_body(consultation, dora, berlin(monday, 10))

    unknown_service = alice_api.post("/bookings", {**body, "service_id": consultation.pk + 100})
    other_tenants_staff = alice_api.post("/bookings", {**body, "staff_id": frank.pk})

    assert (unknown_service.status_code, unknown_service.json()["error"]["message"]) == (
        404,
        "No such service.",
    )
    assert (other_tenants_staff.status_code, other_tenants_staff.json()["error"]["message"]) == (
        404,
        "No such staff member.",
    )
    assert not Customer.objects.exists()  # the upsert went with the refused booking's transaction
