"""Announcements: every subscriber of an event's type makes its jobs, and all go in one INSERT."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rendez import jobs
from rendez.jobs import subscriptions
from rendez.jobs.models import Job

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Happened:
    n: int


@dataclass(frozen=True)
class Unheard:
    n: int


def records(event: Happened) -> list[jobs.NewJob]:
    return [jobs.NewJob("tests.record", {"n": event.n})]


def counts(event: Happened) -> list[jobs.NewJob]:
    return [jobs.NewJob("tests.typed", {"n": event.n}, key=f"n:{event.n}", coalesce=True)]


@pytest.fixture
def subscribed() -> Iterator[None]:
    jobs.subscribe(Happened, records)
    jobs.subscribe(Happened, counts)
    yield
    jobs.unsubscribe(Happened, records)
    jobs.unsubscribe(Happened, counts)


@pytest.mark.usefixtures("subscribed")
def test_each_subscriber_makes_its_jobs_and_all_go_in_one_insert() -> None:
    with CaptureQueriesContext(connection) as queries:
        added = jobs.announce(Happened(1), Happened(2))

    assert [(job.kind, job.payload) for job in added] == [
        ("tests.record", {"n": 1}),
        ("tests.typed", {"n": 1}),
        ("tests.record", {"n": 2}),
        ("tests.typed", {"n": 2}),
    ]
    assert len(queries) == 1 and queries[0]["sql"].startswith('INSERT INTO "jobs_job"')
    assert Job.objects.count() == 4


@pytest.mark.usefixtures("subscribed")
def test_an_event_nobody_subscribed_to_costs_no_statement() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert jobs.announce(Unheard(1)) == []
    assert len(queries) == 0


@pytest.mark.usefixtures("subscribed")
def test_subscribing_again_keeps_one_subscription() -> None:
    jobs.subscribe(Happened, records)
    assert subscriptions.subscribers_of(Happened) == [records, counts]


@pytest.mark.usefixtures("subscribed")
def test_a_subscriber_s_bad_payload_fails_the_announcement_before_anything_is_written() -> None:
    with pytest.raises(jobs.InvalidPayload):
        jobs.announce(Happened(1), Happened("two"))  # type: ignore[arg-type]
    assert not Job.objects.exists()
