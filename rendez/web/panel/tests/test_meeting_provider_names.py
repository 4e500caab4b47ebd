"""The panel names a meeting's own provider where it says where a meeting is: a Google Meet meeting left
behind is "Left on Google Meet", an earlier one is on a Google Meet user, the dashboard's box speaks of Google
Meet; Zoom's wording is unchanged (test_meeting_states.py)."""

from __future__ import annotations

import pytest

from rendez.conferencing.models import Meeting, RetiredMeeting
from rendez.scheduling.models import Appointment
from rendez.web.panel.tests.fixtures import make_meeting

pytestmark = pytest.mark.django_db


def _url(appointment: Appointment) -> str:
    return f"/panel/appointments/{appointment.pk}/"


def _left_on_meet(appointment: Appointment, external_id: str = "evt-old") -> RetiredMeeting:
    return RetiredMeeting.objects.create(
        tenant=appointment.tenant,
        appointment=appointment,
        provider="google_meet",
        external_id=external_id,
        host_email="dora@alice.example",
        state=RetiredMeeting.State.LEFT,
        reason="Google Meet meeting evt-old could not be deleted.",
    )


def test_a_meet_meeting_left_behind_says_left_on_google_meet(ada_client, doras_appointment):
    make_meeting(doras_appointment, Meeting.State.LEFT_ON_ZOOM, provider="google_meet", join_url="")
    body = ada_client.get(_url(doras_appointment)).content.decode()
    assert '<span class="badge bad" data-testid="meeting-state">Left on Google Meet</span>' in body
    assert "Left on Zoom" not in body


def test_an_earlier_meet_meeting_is_on_a_google_meet_user(ada_client, doras_appointment):
    make_meeting(
        doras_appointment, provider="google_meet", external_id="evt-new", join_url="https://meet.x/a"
    )
    _left_on_meet(doras_appointment)
    body = ada_client.get(_url(doras_appointment)).content.decode()
    assert 'aria-label="Earlier meetings still on Google Meet"' in body
    assert "Earlier meeting evt-old on Google Meet user dora@alice.example" in body
    assert ">Left on Google Meet</span>" in body and "Zoom" not in body.split("old-meetings")[1][:600]


def test_the_dashboard_box_names_the_provider_the_meetings_are_left_on(ada_client, doras_appointment):
    _left_on_meet(doras_appointment)
    body = ada_client.get("/panel/dashboard/").content.decode()
    assert "Meetings left on Google Meet" in body and "still live on Google Meet" in body
    assert '<th scope="col">Google Meet meeting</th>' in body
    RetiredMeeting.objects.create(
        tenant=doras_appointment.tenant,
        appointment=doras_appointment,
        external_id="81112223334",
        state=RetiredMeeting.State.LEFT,
    )
    mixed = ada_client.get("/panel/dashboard/").content.decode()
    assert "Meetings left on their provider" in mixed and "reconnect the host's account" in mixed
    assert '<th scope="col">Meeting</th><th scope="col">Host</th>' in mixed
