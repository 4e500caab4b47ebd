"""An appointment's meeting over HTTP: how bookings and appointments show it, starting it as the host, and
asking for a sync. Meeting records are made directly here: making them is the sync job's business."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rendez.api.tests.fixtures import berlin
from rendez.conferencing.models import Meeting
from rendez.conferencing.port import (
    HostRef,
    HostUnusable,
    MeetingGone,
    MeetingSpec,
    ProviderError,
    QuotaExhausted,
    get_provider,
)
from rendez.integrations.zoom.models import Connection as ZoomConnection
from rendez.jobs.models import Job
from rendez.scheduling.models import Appointment
from rendez.scheduling.tests.factories import book, make_service
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff

JOIN_URL = "https://zoom.example/j/85746352413?pwd=abc"


def _booking(service, staff, monday, hour=10, who="Charlie"):
    return book(service, staff, berlin(monday, hour), who, now=berlin(monday, 6) - timedelta(days=7))


def _meeting(appointment, state=Meeting.State.READY, **fields) -> Meeting:
    values = {
        "external_id": "85746352413",
        "join_url": JOIN_URL,
        "password": "4821",
        "host_connection_id": 7,
        "host_user_key": "zoom-user-dora",
    }
    values.update(fields)
    return Meeting.objects.create(tenant=appointment.tenant, appointment=appointment, state=state, **values)


def _error(response) -> dict:
    return response.json()["error"]


# --- the `meeting` member -----------------------------------------------------------------------------------


def test_an_appointment_shows_its_ready_meeting_without_the_host_link(alice_api, consultation, dora, monday):
    booking = _booking(consultation, dora, monday)
    _meeting(booking.appointment)
    body = alice_api.get(f"/appointments/{booking.appointment_id}").json()
    assert body["meeting"] == {
        "provider": "zoom",
        "state": "ready",
        "meeting_id": "85746352413",
        "join_url": JOIN_URL,
        "password": "4821",
        "last_error": None,
        "next_attempt_at": None,
        "changed_elsewhere": None,
    }
    assert "start_url" not in str(body) and "/s/" not in str(body)


def test_a_failed_meeting_shows_why_and_no_link(alice_api, consultation, dora, monday):
    booking = _booking(consultation, dora, monday)
    reason = "Dora's Zoom connection was revoked: reconnect in Staff → Dora → Zoom"
    _meeting(booking.appointment, Meeting.State.FAILED, last_error=reason)
    meeting = alice_api.get(f"/bookings/{booking.pk}").json()["meeting"]
    assert meeting["state"] == "failed"
    assert meeting["last_error"] == reason
    assert (meeting["join_url"], meeting["password"]) == (None, None)


def test_a_meeting_being_made_shows_no_link_yet(alice_api, consultation, dora, monday):
    booking = _booking(consultation, dora, monday)
    _meeting(booking.appointment, Meeting.State.PENDING, external_id="", join_url="", password="")
    meeting = alice_api.get(f"/bookings/{booking.pk}").json()["meeting"]
    assert meeting == {
        "provider": "zoom",
        "state": "pending",
        "meeting_id": None,
        "join_url": None,
        "password": None,
        "last_error": None,
        "next_attempt_at": None,
        "changed_elsewhere": None,
    }


def test_listing_bookings_costs_no_query_per_meeting(alice_api, consultation, yoga, dora, monday):
    def listing() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = alice_api.get("/bookings")
        assert response.status_code == 200
        return len(queries)

    _meeting(_booking(consultation, dora, monday, 9).appointment)
    listing()  # stamps the key's last use, which the next minute's calls skip
    one = listing()
    for hour in (10, 11, 12, 13):
        _meeting(_booking(consultation, dora, monday, hour).appointment)
    for who in ("Dave", "Erin", "Finn"):
        _booking(yoga, dora, monday + timedelta(days=1), 10, who)
    assert listing() == one
    items = alice_api.get("/bookings").json()["items"]
    assert [item["meeting"] is not None for item in items] == [True] * 5 + [False] * 3


def test_listing_appointments_costs_no_query_per_meeting(alice_api, consultation, yoga, dora, monday):
    def listing() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = alice_api.get("/appointments")
        assert response.status_code == 200
        return len(queries)

    _meeting(_booking(consultation, dora, monday, 9).appointment)
    listing()  # stamps the key's last use, which the next minute's calls skip
    one = listing()
    for hour in (10, 11, 12, 13):
        _meeting(_booking(consultation, dora, monday, hour).appointment)
    _booking(yoga, dora, monday + timedelta(days=1), 10, "Dave")
    assert listing() == one
    assert alice_api.get("/appointments").json()["count"] == 6


# --- POST …/meeting/sync ------------------------------------------------------------------------------------


def _syncs(appointment) -> list[Job]:
    return list(Job.objects.filter(kind="conferencing.sync", key=f"appointment:{appointment.pk}"))


def test_sync_queues_the_appointments_sync_job(alice_api, consultation, dora, monday):
    booking = _booking(consultation, dora, monday)
    Job.objects.filter(kind="conferencing.sync").update(state=Job.State.SUCCEEDED)
    response = alice_api.post(f"/appointments/{booking.appointment_id}/meeting/sync")
    assert response.status_code == 202
    assert response.json() == {"status": "queued"}
    [job] = [job for job in _syncs(booking.appointment) if job.state == Job.State.PENDING]
    assert job.payload == {"appointment_id": booking.appointment_id}


def test_repeated_syncs_coalesce_into_one_pending_job(alice_api, consultation, dora, monday):
    booking = _booking(consultation, dora, monday)
    for _ in range(3):
        assert alice_api.post(f"/appointments/{booking.appointment_id}/meeting/sync").status_code == 202
    assert len([job for job in _syncs(booking.appointment) if job.state == Job.State.PENDING]) == 1


def test_sync_of_another_tenants_appointment_is_404_and_queues_nothing(bob_api, consultation, dora, monday):
    booking = _booking(consultation, dora, monday)
    before = Job.objects.count()
    response = bob_api.post(f"/appointments/{booking.appointment_id}/meeting/sync")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"
    assert Job.objects.count() == before


def test_sync_needs_a_key(anonymous_api, consultation, dora, monday):
    booking = _booking(consultation, dora, monday)
    before = Job.objects.count()
    assert anonymous_api.post(f"/appointments/{booking.appointment_id}/meeting/sync").status_code == 401
    assert Job.objects.count() == before


# --- GET …/meeting/start: refusals --------------------------------------------------------------------------


def _start(api, appointment):
    return api.get(f"/appointments/{appointment.pk}/meeting/start")


def test_start_of_an_appointment_without_a_meeting_is_409(alice_api, consultation, dora, monday):
    booking = _booking(consultation, dora, monday)
    response = _start(alice_api, booking.appointment)
    assert response.status_code == 409
    assert _error(response) == {
        "code": "no_meeting",
        "message": "This appointment has no video meeting.",
        "fields": {},
    }


@pytest.mark.parametrize("state", [Meeting.State.PENDING, Meeting.State.FAILED, Meeting.State.DELETED])
def test_start_of_a_meeting_that_is_not_ready_is_409(alice_api, consultation, dora, monday, state):
    booking = _booking(consultation, dora, monday)
    _meeting(booking.appointment, state, last_error="Zoom said no" if state == "failed" else "")
    response = _start(alice_api, booking.appointment)
    assert response.status_code == 409
    error = _error(response)
    assert error["code"] == "meeting_not_ready"
    assert state in error["message"]
    if state == Meeting.State.FAILED:
        assert "Zoom said no" in error["message"]


def test_start_after_the_appointment_ended_is_410(alice_api, consultation, dora, monday):
    booking = _booking(consultation, dora, monday)
    _meeting(booking.appointment)
    ended = timezone.now() - timedelta(minutes=1)
    Appointment.objects.filter(pk=booking.appointment_id).update(
        start=ended - timedelta(minutes=30), end=ended
    )
    response = _start(alice_api, booking.appointment)
    assert response.status_code == 410
    assert _error(response)["code"] == "appointment_ended"
    assert "ended" in _error(response)["message"]


def test_start_of_a_meeting_whose_host_is_unknown_is_409(alice_api, consultation, dora, monday):
    booking = _booking(consultation, dora, monday)
    _meeting(booking.appointment, Meeting.State.UNMANAGED, host_connection_id=None, host_user_key="")
    response = _start(alice_api, booking.appointment)
    assert response.status_code == 409
    assert _error(response)["code"] == "host_unknown"


def test_start_of_another_tenants_appointment_is_404(bob_api, consultation, dora, monday, stub):
    booking = _booking(consultation, dora, monday)
    _meeting(booking.appointment)
    response = _start(bob_api, booking.appointment)
    assert response.status_code == 404
    assert "Location" not in response.headers
    assert stub.calls == []


def test_start_needs_a_key(anonymous_api, consultation, dora, monday):
    booking = _booking(consultation, dora, monday)
    _meeting(booking.appointment)
    assert _start(anonymous_api, booking.appointment).status_code == 401


# --- GET …/meeting/start: what the provider answers (a stub provider; the Zoom one is tested with Zoom) ----


class StubProvider:
    """Answers `start_url` as the test says; records who it was asked about."""

    calls: list[HostRef] = []
    current_host: HostRef | None = None
    failure: ProviderError | None = None

    def start_url(self, host: HostRef, external_id: str) -> str:
        StubProvider.calls.append(host)
        if StubProvider.failure is not None:
            raise StubProvider.failure
        return f"https://zoom.example/s/{external_id}?zak=fresh-{len(StubProvider.calls)}"

    def host_for(self, staff) -> HostRef | None:
        return StubProvider.current_host

    def create(self, host, spec, *, attempt_started_at):
        raise NotImplementedError

    def update(self, host, external_id, changes):
        raise NotImplementedError

    def delete(self, host, external_id):
        raise NotImplementedError

    def get(self, host, external_id):
        raise NotImplementedError

    def find(self, host, spec, created_after):
        raise NotImplementedError

    def integration(self, tenant):
        raise NotImplementedError


DORA_HOST = HostRef(
    provider="zoom", connection_id=9, user_key="zoom-user-dora", account_id="acct", usable=True
)


@pytest.fixture
def stub(settings):
    settings.CONFERENCING_PROVIDERS = {"zoom": f"{__name__}.StubProvider"}
    StubProvider.calls, StubProvider.current_host, StubProvider.failure = [], DORA_HOST, None
    yield StubProvider
    StubProvider.calls, StubProvider.current_host, StubProvider.failure = [], None, None


def test_start_redirects_to_a_link_fetched_at_each_click(alice_api, consultation, dora, monday, stub):
    booking = _booking(consultation, dora, monday)
    _meeting(booking.appointment)
    first = _start(alice_api, booking.appointment)
    second = _start(alice_api, booking.appointment)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == "https://zoom.example/s/85746352413?zak=fresh-1"
    assert second["Location"] == "https://zoom.example/s/85746352413?zak=fresh-2"
    assert first["Cache-Control"] == "no-store"
    # A reconnect gave the same Zoom user a new connection: the working one is used.
    assert stub.calls == [DORA_HOST, DORA_HOST]
    assert "zak" not in alice_api.get(f"/appointments/{booking.appointment_id}").content.decode()


def test_start_asks_the_meetings_own_host_after_the_staff_member_moved_to_another(
    alice_api, consultation, dora, monday, stub
):
    booking = _booking(consultation, dora, monday)
    _meeting(booking.appointment)
    stub.current_host = HostRef("zoom", 11, "zoom-user-someone-else", "acct", True)
    assert _start(alice_api, booking.appointment).status_code == 302
    [host] = stub.calls
    assert (host.connection_id, host.user_key) == (7, "zoom-user-dora")


def test_start_with_a_broken_host_connection_is_409_without_calling(
    alice_api, consultation, dora, monday, stub
):
    booking = _booking(consultation, dora, monday)
    _meeting(booking.appointment)
    stub.current_host = HostRef("zoom", 9, "zoom-user-dora", "acct", usable=False)
    response = _start(alice_api, booking.appointment)
    assert response.status_code == 409
    assert _error(response)["code"] == "host_unusable"
    assert "Dora's Zoom connection" in _error(response)["message"]
    assert stub.calls == []


@pytest.mark.parametrize(
    ("failure", "status", "code"),
    [
        (ProviderError("Zoom refused the request: invalid meeting."), 502, "provider_refused"),
        (HostUnusable("Dora's Zoom grant was revoked."), 502, "provider_refused"),
        (ProviderError("Zoom did not answer in time.", retryable=True), 503, "provider_unavailable"),
        (MeetingGone("The meeting was deleted on Zoom."), 409, "meeting_gone"),
    ],
)
def test_provider_failures_answer_with_their_reason(
    alice_api, consultation, dora, monday, stub, failure, status, code
):
    booking = _booking(consultation, dora, monday)
    _meeting(booking.appointment)
    stub.failure = failure
    response = _start(alice_api, booking.appointment)
    assert response.status_code == status
    error = _error(response)
    assert error["code"] == code
    assert failure.reason in error["message"]
    assert "Retry-After" not in response.headers


def test_a_provider_busy_for_a_while_says_when_to_retry(alice_api, consultation, dora, monday, stub):
    booking = _booking(consultation, dora, monday)
    _meeting(booking.appointment)
    stub.failure = QuotaExhausted("Dora's daily Zoom allowance is spent.", retry_after=3600.4)
    response = _start(alice_api, booking.appointment)
    assert response.status_code == 503
    assert response["Retry-After"] == "3600"


# --- GET …/meeting/start against Zoom (the emulator over HTTP, Rendez's real Zoom provider) -----------------


@pytest.fixture
def emulator(zoom):  # noqa: F811 - the fixture, imported above
    """The Zoom emulator, with Rendez pointed at it."""
    return zoom


@pytest.fixture
def zoom_meeting(alice, alice_api, emulator, maria, monday) -> Meeting:  # noqa: F811 - the fixture, imported
    """Maria (connected with her own Zoom account) hosts a consultation whose meeting exists on Zoom; the
    record is written here as the sync job would write it."""
    connect_staff(alice_api, emulator, maria, MARIA)
    service = make_service(alice, maria, name="Video consultation", zoom_enabled=True)
    appointment = _booking(service, maria, monday).appointment
    provider = get_provider("zoom")
    host = provider.host_for(maria)
    assert host is not None
    spec = MeetingSpec(
        topic="Video consultation with Maria Koch",
        agenda="",
        start=appointment.start,
        duration_minutes=30,
        timezone="Europe/Berlin",
    )
    info = provider.create(host, spec, attempt_started_at=timezone.now())
    emulator.control.clear_requests()
    return _meeting(
        appointment,
        external_id=info.external_id,
        join_url=info.join_url,
        password=info.password,
        host_id=info.host_id,
        host_connection_id=host.connection_id,
        host_user_key=host.user_key,
    )


def _zoom_calls(emulator) -> list[tuple[str, str]]:
    return [(entry["method"], entry["path"]) for entry in emulator.control.requests(path="/v2/*")]


def test_start_redirects_to_a_fresh_zoom_start_link_that_starts_the_meeting(
    alice_api, emulator, zoom_meeting
):
    first = _start(alice_api, zoom_meeting.appointment)
    second = _start(alice_api, zoom_meeting.appointment)

    assert first.status_code == second.status_code == 302
    assert first["Location"] != second["Location"]
    assert f"/s/{zoom_meeting.external_id}?zak=" in first["Location"]
    assert _zoom_calls(emulator) == [("GET", f"/v2/meetings/{zoom_meeting.external_id}")] * 2
    page = httpx2.get(first["Location"])
    assert page.status_code == 200 and 'data-testid="started"' in page.text.replace("'", '"')
    assert "Maria Koch" in page.text
    # The link is handed over, never kept or shown.
    zoom_meeting.refresh_from_db()
    assert "zak" not in " ".join(str(value) for value in vars(zoom_meeting).values())
    assert "zak" not in alice_api.get(f"/appointments/{zoom_meeting.appointment_id}").content.decode()


def test_start_of_a_meeting_deleted_on_zoom_is_409_and_points_to_sync(alice_api, emulator, zoom_meeting):
    host = get_provider("zoom").host_for(zoom_meeting.appointment.staff)
    assert host is not None
    get_provider("zoom").delete(host, zoom_meeting.external_id)

    response = _start(alice_api, zoom_meeting.appointment)

    assert response.status_code == 409
    error = _error(response)
    assert error["code"] == "meeting_gone"
    assert zoom_meeting.external_id in error["message"] and "meeting/sync" in error["message"]


def test_start_while_the_hosts_zoom_connection_needs_reconnecting_is_409_without_a_zoom_call(
    alice_api, emulator, zoom_meeting
):
    ZoomConnection.objects.filter(pk=zoom_meeting.host_connection_id).update(
        status=ZoomConnection.Status.NEEDS_RECONNECT, broken_reason="Zoom revoked the grant."
    )
    response = _start(alice_api, zoom_meeting.appointment)
    assert response.status_code == 409
    assert _error(response)["code"] == "host_unusable"
    assert "Maria Koch's Zoom connection" in _error(response)["message"]
    assert _zoom_calls(emulator) == []


def test_start_after_the_hosts_connection_was_removed_is_502_with_zooms_reason(
    alice_api, emulator, zoom_meeting
):
    ZoomConnection.objects.filter(pk=zoom_meeting.host_connection_id).delete()
    response = _start(alice_api, zoom_meeting.appointment)
    assert response.status_code == 502
    error = _error(response)
    assert error["code"] == "provider_refused"
    assert "connection of this meeting's host was removed" in error["message"]


def test_start_while_zoom_is_down_is_503(alice_api, emulator, zoom_meeting):
    emulator.control.set_faults(error_rate=1.0, error_kind="503")
    response = _start(alice_api, zoom_meeting.appointment)
    assert response.status_code == 503
    assert _error(response)["code"] == "provider_unavailable"
    assert "try again" in _error(response)["message"]


def test_another_tenant_cannot_start_a_zoom_meeting(bob_api, emulator, zoom_meeting):
    response = _start(bob_api, zoom_meeting.appointment)
    assert response.status_code == 404
    assert "Location" not in response.headers
    assert _zoom_calls(emulator) == []


def test_the_api_knows_every_meeting_state():
    from typing import get_args

    from rendez.api.meeting_schemas import MeetingState
    from rendez.conferencing.queries import DELETING

    assert set(get_args(MeetingState)) == {*Meeting.State.values, DELETING}
