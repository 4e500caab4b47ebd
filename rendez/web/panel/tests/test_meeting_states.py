"""What the panel says of a meeting is what is true now (issue 14, item 4): retrying with its reason, next
attempt and Retry; left on Zoom with its reason; being deleted; a new link being made. Ada (admin) and Dora
(staff, in New York here) see it, Olga (bob's admin) sees nothing of it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rendez import jobs
from rendez.conferencing.models import Meeting, RetiredMeeting
from rendez.jobs.models import Job
from rendez.scheduling import events, services
from rendez.scheduling.models import Appointment, Staff
from rendez.scheduling.tests.factories import book, make_service, make_staff
from rendez.web.panel.tests.fixtures import berlin, make_meeting

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ZOOM_500 = "Zoom answered 500 (internal error)."
LEFT_REASON = (
    "Zoom meeting 81112223334 on Zoom user maria@zoom.example could not be deleted: the connection was "
    "revoked. It is still live on Zoom; delete it there, or reconnect and Rendez deletes it."
)


def _url(appointment: Appointment, rest: str = "") -> str:
    return f"/panel/appointments/{appointment.pk}/{rest}"


def _retrying(appointment: Appointment, in_minutes: int = 20, **fields) -> Meeting:
    return make_meeting(
        appointment,
        Meeting.State.RETRYING,
        last_error=ZOOM_500,
        next_attempt_at=timezone.now() + timedelta(minutes=in_minutes),
        **fields,
    )


def _left(appointment: Appointment, external_id: str = "81112223334", **fields) -> RetiredMeeting:
    values = {
        "state": RetiredMeeting.State.LEFT,
        "host_email": "maria@zoom.example",
        "host_user_key": "zoom-user-maria",
        "reason": LEFT_REASON,
    }
    values.update(fields)
    return RetiredMeeting.objects.create(
        tenant=appointment.tenant, appointment=appointment, external_id=external_id, **values
    )


def _appointment_in_slot(consultation, dora, monday, slot: int) -> Appointment:
    """Dora's consultation in the `slot`-th half hour from 09:00 on Monday (she works nine to five)."""
    start = berlin(monday, 9) + timedelta(minutes=30 * slot)
    return book(consultation, dora, start, f"C{slot}", now=berlin(monday, 6) - timedelta(days=7)).appointment


def _sync_jobs(appointment: Appointment):
    return Job.objects.filter(kind=events.SYNC_MEETING, key=events.appointment_key(appointment.pk))


@pytest.fixture
def dora_in_new_york(dora_user, dora) -> Staff:
    Staff.objects.filter(pk=dora.pk).update(timezone="America/New_York")
    return dora


# --- retrying -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "zone"), [("ada_client", ZoneInfo("Europe/Berlin")), ("dora_client", NEW_YORK)]
)
def test_a_retrying_meeting_shows_its_reason_the_next_attempt_in_the_viewers_zone_and_retry(
    request, dora_in_new_york, doras_appointment, persona, zone
):
    meeting = _retrying(doras_appointment, external_id="", join_url="", password="")
    body = request.getfixturevalue(persona).get(_url(doras_appointment)).content.decode()
    assert '<span class="badge warn" data-testid="meeting-state">Retrying</span>' in body
    assert ZOOM_500 in body
    assert f"at {timezone.localtime(meeting.next_attempt_at, zone):%H:%M}" in body
    assert f"({zone.key})" in body
    assert ">Retry</button>" in body
    assert "Being created" not in body and "START MEETING" not in body


def test_a_retrying_change_keeps_the_meeting_and_its_link_usable(ada_client, doras_appointment):
    """A change to an existing meeting keeps failing: the meeting and its link stand, and the page says so."""
    _retrying(doras_appointment)
    body = ada_client.get(_url(doras_appointment)).content.decode()
    assert "Retrying" in body and ZOOM_500 in body and ">Retry</button>" in body
    assert 'data-testid="join-url"' in body and "START MEETING" in body


def test_retry_brings_the_waiting_sync_forward_to_now(ada_client, doras_appointment):
    _retrying(doras_appointment)
    Job.objects.all().delete()
    later = timezone.now() + timedelta(minutes=20)
    jobs.enqueue(
        events.SYNC_MEETING,
        {"appointment_id": doras_appointment.pk},
        key=events.appointment_key(doras_appointment.pk),
        run_after=later,
        coalesce=True,
        tenant_id=doras_appointment.tenant_id,
    )

    response = ada_client.post(_url(doras_appointment, "retry/"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Rendez is trying again now" in response.content.decode()
    assert [job.run_after <= timezone.now() for job in _sync_jobs(doras_appointment)] == [True]


def test_staff_retry_their_own_retrying_meeting(dora_client, doras_appointment):
    _retrying(doras_appointment)
    Job.objects.all().delete()
    response = dora_client.post(_url(doras_appointment, "retry/"))
    assert response.status_code == 302
    assert _sync_jobs(doras_appointment).count() == 1


def test_an_outsider_neither_sees_nor_retries_a_retrying_meeting(olga_client, doras_appointment):
    _retrying(doras_appointment)
    Job.objects.all().delete()
    assert olga_client.get(_url(doras_appointment)).status_code == 404
    assert olga_client.post(_url(doras_appointment, "retry/")).status_code == 404
    assert Job.objects.count() == 0
    assert ZOOM_500 not in olga_client.get("/panel/dashboard/").content.decode()


# --- left on Zoom, being deleted, a new link ----------------------------------------------------------------


def test_a_meeting_left_on_zoom_says_so_with_its_reason_and_no_link(ada_client, doras_appointment):
    make_meeting(doras_appointment, Meeting.State.LEFT_ON_ZOOM, last_error=LEFT_REASON)
    body = ada_client.get(_url(doras_appointment)).content.decode()
    assert '<span class="badge bad" data-testid="meeting-state">Left on Zoom</span>' in body
    assert "maria@zoom.example could not be deleted" in body
    assert 'data-testid="join-url"' not in body and "START MEETING" not in body
    assert ">Retry</button>" in body
    response = ada_client.post(_url(doras_appointment, "retry/"), follow=True)
    assert "trying again to delete the meeting from Zoom" in response.content.decode()


def test_a_cancelled_appointments_live_meeting_is_being_deleted_in_details_list_and_calendar(
    ada_client, doras_appointment, monday
):
    make_meeting(doras_appointment)
    services.cancel_booking(doras_appointment.bookings.get())

    details = ada_client.get(_url(doras_appointment)).content.decode()
    assert 'data-testid="meeting-state">Being deleted</span>' in details
    assert 'data-testid="join-url"' not in details and "START MEETING" not in details
    listed = ada_client.get("/panel/appointments/", {"when": "all"}).content.decode()
    assert 'data-testid="meeting-state">Being deleted</span>' in listed
    week = ada_client.get("/panel/calendar/", {"date": monday.isoformat()}).content.decode()
    assert ", meeting being deleted" in week and ", meeting ready" not in week


def test_a_meeting_made_for_the_previous_staff_member_says_a_new_link_is_being_made(
    ada_client, dora, emil, doras_appointment
):
    make_meeting(doras_appointment, host_staff_id=dora.pk)
    Appointment.objects.filter(pk=doras_appointment.pk).update(staff=emil)

    body = ada_client.get(_url(doras_appointment)).content.decode()
    assert 'data-testid="meeting-state">New link being made</span>' in body
    assert "85746352413?pwd=abc" not in body and "START MEETING" not in body
    listed = ada_client.get("/panel/appointments/").content.decode()
    assert 'data-testid="meeting-state">New link being made</span>' in listed


def test_while_the_new_meeting_is_made_the_old_one_is_listed_as_being_deleted(
    dora_client, dora, doras_appointment
):
    make_meeting(doras_appointment, Meeting.State.PENDING, external_id="", join_url="", password="")
    RetiredMeeting.objects.create(
        tenant=doras_appointment.tenant,
        appointment=doras_appointment,
        external_id="80000000001",
        host_email="old@zoom.example",
    )
    body = dora_client.get(_url(doras_appointment)).content.decode()
    assert 'data-testid="meeting-state">New link being made</span>' in body
    assert "Earlier meeting 80000000001 on Zoom user old@zoom.example" in body
    assert ">Being deleted</span>" in body


def test_a_failed_meeting_reads_as_before(ada_client, doras_appointment):
    make_meeting(
        doras_appointment, Meeting.State.FAILED, external_id="", join_url="", last_error="Zoom said no."
    )
    body = ada_client.get(_url(doras_appointment)).content.decode()
    assert '<span class="badge bad" data-testid="meeting-state">Failed</span>' in body
    assert "Zoom said no." in body and ">Retry</button>" in body


# --- the dashboard ------------------------------------------------------------------------------------------


def test_the_dashboard_lists_meetings_left_on_zoom_to_the_tenants_admins_only(
    ada_client, dora_client, olga_client, bob, doras_appointment, monday
):
    _left(doras_appointment)
    barber = make_staff(bob, "Bert", timezone="America/New_York")
    haircut = make_service(bob, barber, name="Haircut")
    bobs = book(haircut, barber, berlin(monday, 15), "Hank", now=berlin(monday, 6) - timedelta(days=7))
    _left(bobs.appointment, external_id="89990001112", host_email="bert@zoom.example", reason="Bob's own.")

    body = ada_client.get("/panel/dashboard/").content.decode()
    assert "Meetings left on Zoom" in body
    assert "81112223334" in body and "maria@zoom.example" in body
    assert f'href="/panel/appointments/{doras_appointment.pk}/"' in body
    assert "It is still live on Zoom" in body
    assert "89990001112" not in body and "bert@zoom.example" not in body

    others = olga_client.get("/panel/dashboard/").content.decode()
    assert "89990001112" in others and "81112223334" not in others and "maria@zoom.example" not in others
    assert dora_client.get("/panel/dashboard/").status_code == 404


def test_deleted_and_retiring_meetings_are_not_listed_as_left(ada_client, doras_appointment):
    _left(doras_appointment, state=RetiredMeeting.State.DELETED)
    _left(doras_appointment, external_id="81112223335", state=RetiredMeeting.State.RETIRING)
    assert "Meetings left on Zoom" not in ada_client.get("/panel/dashboard/").content.decode()


def test_the_dashboard_lists_retrying_meetings_with_reason_and_next_attempt(
    ada_client, doras_appointment, emils_appointment, monkeypatch
):
    meeting = _retrying(doras_appointment)
    make_meeting(
        emils_appointment, Meeting.State.FAILED, external_id="", join_url="", last_error="Zoom said no."
    )
    body = ada_client.get("/panel/dashboard/").content.decode()
    assert "Meeting retrying: Consultation with Dora" in body
    berlin_time = timezone.localtime(meeting.next_attempt_at, BERLIN)
    assert f"{ZOOM_500} Next attempt at {berlin_time:%H:%M}" in body
    assert "Meeting failed: Massage with Emil" in body

    over = doras_appointment.end + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: over)
    assert "Meeting retrying" not in ada_client.get("/panel/dashboard/").content.decode()


def test_the_dashboard_costs_the_same_queries_however_many_meetings_it_lists(
    ada_client, dora, consultation, monday, django_assert_num_queries
):
    slots = iter(range(16))

    def appointment() -> Appointment:
        return _appointment_in_slot(consultation, dora, monday, next(slots))

    _retrying(appointment())
    _left(appointment(), external_id="1")
    with CaptureQueriesContext(connection) as one_each:
        ada_client.get("/panel/dashboard/")

    for n in range(3):
        _retrying(appointment())
        make_meeting(appointment(), Meeting.State.FAILED, last_error="no")
        _left(appointment(), external_id=f"2{n}")
    with django_assert_num_queries(len(one_each)):
        body = ada_client.get("/panel/dashboard/").content.decode()
    assert body.count('data-testid="troubled-meeting"') == 7
    assert body.count('data-testid="left-meeting"') == 4


def test_the_list_and_calendar_cost_the_same_queries_however_many_meeting_states_they_show(
    ada_client, consultation, dora, monday, django_assert_num_queries
):
    _retrying(_appointment_in_slot(consultation, dora, monday, 0))
    pages = [("/panel/appointments/", {}), ("/panel/calendar/", {"date": monday.isoformat()})]
    counts = []
    for path, query in pages:
        with CaptureQueriesContext(connection) as captured:
            ada_client.get(path, query)
        counts.append(len(captured))

    left = _appointment_in_slot(consultation, dora, monday, 1)
    make_meeting(left, Meeting.State.LEFT_ON_ZOOM, last_error=LEFT_REASON)
    failed = _appointment_in_slot(consultation, dora, monday, 2)
    make_meeting(failed, Meeting.State.FAILED, last_error="no")
    _retrying(_appointment_in_slot(consultation, dora, monday, 3), external_id="", join_url="")
    make_meeting(_appointment_in_slot(consultation, dora, monday, 4))
    for (path, query), count in zip(pages, counts, strict=True):
        with django_assert_num_queries(count):
            body = ada_client.get(path, query).content.decode()
        assert "left on zoom" in body.lower() and "retrying" in body.lower()
