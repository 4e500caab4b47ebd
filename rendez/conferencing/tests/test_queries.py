"""The read side of meetings: what anyone outside conferencing sees of an appointment's meeting, and whether a
link is still coming."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rendez.conferencing import queries
from rendez.conferencing.models import Meeting
from rendez.jobs.models import Job
from rendez.scheduling.models import Appointment
from rendez.scheduling.tests.factories import book, utc
from rendez.scheduling.tests.fixtures import NOW

START = utc(2026, 6, 3, 8)  # a Wednesday, 10:00 in Berlin


@pytest.fixture
def appointment(consultation, dora) -> Appointment:  # noqa: F811 - the fixtures, imported above
    return book(consultation, dora, START, now=NOW).appointment


def _meeting(appointment: Appointment, state: str, **fields) -> Meeting:
    values = {"external_id": "85746352413", "join_url": "https://zoom.example/j/1", "password": "4821"}
    values.update(fields)
    return Meeting.objects.create(tenant=appointment.tenant, appointment=appointment, state=state, **values)


def _fresh(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_related(queries.RELATION).get(pk=appointment.pk)


def _settle_syncs() -> None:
    Job.objects.filter(kind="conferencing.sync").update(state=Job.State.SUCCEEDED)


def test_no_record_is_no_view(appointment):
    assert queries.meeting_view(appointment) is None
    assert queries.meeting_record(appointment) is None


@pytest.mark.parametrize("state", [Meeting.State.READY, Meeting.State.UNMANAGED])
def test_a_meeting_with_a_working_link_shows_it(appointment, state):
    _meeting(appointment, state)
    view = queries.meeting_view(_fresh(appointment))
    assert view is not None and view.ready and not view.settled_without_link
    assert view.as_dict() == {
        "provider": "zoom",
        "state": state,
        "meeting_id": "85746352413",
        "join_url": "https://zoom.example/j/1",
        "password": "4821",
        "last_error": None,
        "next_attempt_at": None,
        "changed_elsewhere": None,
    }


@pytest.mark.parametrize("state", [Meeting.State.PENDING, Meeting.State.FAILED, Meeting.State.DELETED])
def test_a_meeting_without_a_working_link_hides_the_old_one(appointment, state):
    _meeting(appointment, state, last_error="Zoom refused the passcode")
    view = queries.meeting_view(_fresh(appointment))
    assert view is not None and not view.ready
    assert (view.join_url, view.password) == (None, None)
    assert view.last_error == "Zoom refused the passcode"
    assert view.settled_without_link == (state != Meeting.State.PENDING)


def test_a_ready_record_without_a_link_is_not_ready(appointment):
    _meeting(appointment, Meeting.State.READY, join_url="")
    view = queries.meeting_view(_fresh(appointment))
    assert view is not None and not view.ready


def test_the_view_never_holds_a_host_link(appointment):
    _meeting(appointment, Meeting.State.READY)
    view = queries.meeting_view(_fresh(appointment))
    assert view is not None
    assert set(view.as_dict()) == {
        "provider",
        "state",
        "meeting_id",
        "join_url",
        "password",
        "last_error",
        "next_attempt_at",
        "changed_elsewhere",
    }


def test_the_relation_loads_the_meeting_with_the_appointment(appointment, django_assert_num_queries):
    _meeting(appointment, Meeting.State.READY)
    with django_assert_num_queries(1):
        views = [queries.meeting_view(a) for a in Appointment.objects.select_related(queries.RELATION)]
    assert [view.ready for view in views if view] == [True]


def test_a_meeting_being_made_is_coming(appointment):
    _settle_syncs()
    _meeting(appointment, Meeting.State.PENDING, external_id="", join_url="")
    assert queries.meeting_coming(_fresh(appointment))


def test_a_queued_sync_is_a_meeting_coming(appointment):
    assert Job.objects.filter(kind="conferencing.sync", state=Job.State.PENDING).exists()  # from the booking
    assert queries.meeting_coming(appointment)


def test_nothing_queued_and_no_record_is_nothing_coming(appointment):
    _settle_syncs()
    assert not queries.meeting_coming(appointment)


def test_a_ready_meeting_is_not_coming_even_while_a_sync_is_queued(appointment):
    _meeting(appointment, Meeting.State.READY)
    assert not queries.meeting_coming(_fresh(appointment))


def test_a_failed_meeting_with_a_retry_queued_is_coming(appointment):
    _meeting(appointment, Meeting.State.FAILED, join_url="")
    assert queries.meeting_coming(_fresh(appointment))
    _settle_syncs()
    assert not queries.meeting_coming(_fresh(appointment))


def test_another_appointments_sync_does_not_count(appointment, consultation, dora):  # noqa: F811
    other = book(consultation, dora, START + timedelta(hours=1), "Dave", now=NOW).appointment
    Job.objects.filter(key=f"appointment:{appointment.pk}").update(state=Job.State.SUCCEEDED)
    assert not queries.meeting_coming(appointment)
    assert queries.meeting_coming(other)
