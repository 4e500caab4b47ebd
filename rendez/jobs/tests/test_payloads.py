"""Typed payloads: checked when enqueued (a bug in the caller raises there) and when run (a stored row that no
longer fits its type dies at once, with a message naming the field)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction

from rendez import jobs
from rendez.jobs import registry
from rendez.jobs.models import Job
from rendez.jobs.tests import handlers
from rendez.jobs.tests.handlers import Counted
from rendez.jobs.worker import Worker

State = Job.State
pytestmark = pytest.mark.django_db


class Other(jobs.Payload):
    n: int


def run_due() -> int:
    return Worker(listen=False).run_once()


def test_it_stores_the_fields_the_caller_set_and_hands_the_handler_an_instance() -> None:
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    job = jobs.enqueue("tests.typed", Counted(n=3, when=when))

    assert Job.objects.get(pk=job.pk).payload == {"n": 3, "when": "2026-03-01T09:30:00+00:00"}
    run_due()
    assert handlers.typed_calls == [Counted(n=3, when=when)]
    assert handlers.typed_calls[0].label == ""  # unset: stored without it, read back as its default


def test_a_dict_payload_is_checked_against_the_kind_s_type() -> None:
    job = jobs.enqueue("tests.typed", {"n": "4"})

    assert Job.objects.get(pk=job.pk).payload == {"n": 4}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"n": "four"}, "n: Input should be a valid integer"),
        ({}, "n: Field required"),
        ({"n": 1, "typo": 2}, "typo: Extra inputs are not permitted"),
        (Other(n=1), "takes Counted, not Other"),
    ],
)
def test_a_payload_that_does_not_fit_raises_in_the_caller_and_writes_nothing(payload, message) -> None:
    with pytest.raises(jobs.InvalidPayload, match=message), transaction.atomic():
        jobs.enqueue("tests.typed", payload)
    with pytest.raises(jobs.InvalidPayload):
        jobs.enqueue_all([jobs.NewJob("tests.record", {}), jobs.NewJob("tests.typed", payload)])

    assert not Job.objects.exists()


def test_a_stored_payload_that_no_longer_fits_dies_at_once_with_the_reason() -> None:
    job = jobs.enqueue("tests.typed", Counted(n=1))
    # An old row after a deploy changed the type: the field it needs is not there.
    Job.objects.filter(pk=job.pk).update(payload={"count": 1})

    run_due()

    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.DEAD, 1)  # not retried: retrying cannot make it fit
    assert "InvalidPayload: payload of 'tests.typed' does not fit Counted:" in job.last_error
    assert "n: Field required" in job.last_error and "count: Extra inputs are not permitted" in job.last_error
    assert handlers.typed_calls == []
    assert run_due() == 0


def test_a_kind_without_a_payload_type_takes_any_json_dict() -> None:
    jobs.enqueue("tests.record", {"anything": [1, "two"]})
    with pytest.raises(TypeError):
        jobs.enqueue("tests.record", {"when": object()})


# Kinds registered by test modules (the jobs tests' own, the observability tests').
TEST_KINDS = ("tests.", "observability_tests.")


def test_every_kind_of_the_application_declares_its_payload_type() -> None:
    untyped = [
        kind
        for kind in registry.registered_kinds()
        if not kind.startswith(TEST_KINDS) and registry.get_handler(kind).payload is None  # type: ignore[union-attr]
    ]
    assert untyped == []
