"""An "any available" booking's meeting is hosted by the staff member chosen for it: their own Zoom account
(personal connection) or the Zoom user they are mapped to, asserted from the emulator's request log. Staff
who cannot host are never chosen for a video service."""

from __future__ import annotations

import pytest

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.scheduling import catalog
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service
from rendez.tenants import profile
from rendez.tests.integrations.zoom.fixtures import (
    JONAS,
    JONAS_EMAIL,
    MARIA,
    MARIA_EMAIL,
    connect_staff,
    connect_tenant,
    settle,
)
from rendez.tests.integrations.zoom.test_lifecycle import a_monday, meeting_calls

pytestmark = pytest.mark.django_db


@pytest.fixture
def coaching(alice, maria, jonas, nina):
    tenant_settings.update(alice, {"enabled": True})
    # Nina has no Zoom: first in line by priority, she must still never get a video booking she cannot host.
    catalog.update_staff(nina, catalog.StaffChanges(assignment_priority=10))
    return make_service(
        alice, maria, jonas, nina, name="Video coaching", duration_minutes=60, zoom_enabled=True
    )


def book_anyone(api, service, start, name: str) -> Booking:
    response = api.post(
        "/bookings",
        {
            "service_id": service.pk,
            "staff_id": "any",
            "start": start.isoformat(),
            "customer": {"name": name, "email": f"{name.lower()}@example.com"},
        },
    )
    assert response.status_code == 201, response.content
    return Booking.objects.select_related("appointment__staff").get(pk=response.json()["id"])


def test_the_mapped_zoom_user_of_whoever_is_chosen_hosts(api, zoom, alice, coaching, maria, jonas):
    connect_tenant(api, zoom, alice, MARIA)
    zoom.control.clear_requests()

    first = book_anyone(api, coaching, a_monday(), "Charlie")
    settle()
    second = book_anyone(api, coaching, a_monday().replace(hour=11), "Dave")
    settle()

    assert [first.appointment.staff.name, second.appointment.staff.name] == ["Jonas Weber", "Maria Koch"]
    posts = [path for method, path, _ in meeting_calls(zoom) if method == "POST"]
    assert posts == [f"/v2/users/{JONAS}/meetings", f"/v2/users/{MARIA}/meetings"]
    hosts = [Meeting.objects.get(appointment=b.appointment).host_email for b in (first, second)]
    assert hosts == [JONAS_EMAIL, MARIA_EMAIL]


def test_a_personal_zoom_account_hosts_its_owners_assignments(api, zoom, coaching, maria):
    # Only Maria has Zoom (her own account): Jonas, first by name, and Nina cannot host, so Maria is chosen.
    connect_staff(api, zoom, maria, MARIA)
    zoom.control.clear_requests()

    booking = book_anyone(api, coaching, a_monday(), "Charlie")
    settle()

    assert (booking.appointment.staff.name, booking.assigned_by) == ("Maria Koch", "round_robin")
    assert [(m, p) for m, p, _ in meeting_calls(zoom) if m == "POST"] == [("POST", "/v2/users/me/meetings")]
    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert (meeting.state, meeting.host_email) == (Meeting.State.READY, MARIA_EMAIL)


def test_with_nobody_able_to_host_any_is_refused_and_nothing_is_booked(api, zoom, coaching):
    response = api.post(
        "/bookings",
        {
            "service_id": coaching.pk,
            "staff_id": "any",
            "start": a_monday().isoformat(),
            "customer": {"name": "Charlie", "email": "charlie@example.com"},
        },
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_host"
    assert not Booking.objects.exists()


def test_a_business_offering_staff_without_zoom_anyway_lets_any_choose_them(api, zoom, alice, coaching, nina):
    # The page and the API follow one rule (conferencing/hosting.py): the opt-in counts for both.
    profile.update_profile(alice, {"offer_staff_without_zoom": True})

    booking = book_anyone(api, coaching, a_monday(), "Charlie")

    assert booking.appointment.staff == nina  # first by priority, and no longer left out
