"""Schemathesis against the published OpenAPI document: no 5xx, and every answer matches what the document
says."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from rendez.api.tests.fixtures import berlin
from rendez.conferencing.models import Meeting
from rendez.scheduling.tests.factories import book, make_api_key
from rendez.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# The key is sent with every call below, so generating the Authorization header itself (or its absence) would
# only test the harness; unknown query parameters are ignored by design, as most APIs do.
schema.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)


@pytest.fixture
def fuzz_key(alice, consultation, yoga, dora, monday) -> str:
    """A key of a tenant with a little of everything: services, staff with hours, bookings alone and in a
    group, a ready meeting and a failed one."""
    now = berlin(monday, 6) - timedelta(days=7)
    charlie = book(consultation, dora, berlin(monday, 10), "Charlie", now=now)
    book(yoga, dora, berlin(monday, 14), "Dave", now=now)
    book(yoga, dora, berlin(monday, 14), "Erin", party_size=2, now=now)
    failed = book(consultation, dora, berlin(monday, 11), "Finn", now=now)
    Meeting.objects.create(
        tenant=alice,
        appointment=charlie.appointment,
        state=Meeting.State.READY,
        external_id="85746352413",
        join_url="https://zoom.example/j/85746352413",
        password="4821",
    )
    Meeting.objects.create(
        tenant=alice, appointment=failed.appointment, state=Meeting.State.FAILED, last_error="Zoom said no"
    )
    return make_api_key(alice, "fuzz")


@pytest.fixture
def one_connection():
    """Keep the test's connection open across WSGI requests, as Django's test client does: the handler's end-
    of-request hook would otherwise close it in the middle of the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_answers_as_its_schema_says(case, fuzz_key, one_connection, zoom):  # noqa: F811
    # Schema-valid input may still break a business rule the schema cannot express (an IANA zone, working
    # hours,
    # an id that exists), and 422 is then the right answer: "positive data acceptance" is left out for that.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzz_key}"}, excluded_checks=[positive_data_acceptance]
    )
