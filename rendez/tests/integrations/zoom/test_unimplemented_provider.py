"""A service may name a provider whose integration is not installed (here: Teams left out): its bookings
get no meeting, exactly as a service without video, and Zoom is never asked. Moving it to Zoom owes its
booked appointments their meetings, as ticking Zoom did. With Zoom as its fallback, Zoom makes them: the
provider it chose cannot host (conferencing/choice.py)."""

from __future__ import annotations

import pytest

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.scheduling import catalog
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff, settle
from rendez.tests.integrations.zoom.test_lifecycle import a_monday, book, meeting_calls


@pytest.fixture
def hosted(api, zoom, maria):
    return connect_staff(api, zoom, maria, MARIA)


@pytest.fixture(autouse=True)
def _teams_not_here(settings):
    """An installation without the Teams provider (every provider of `VideoProvider` is implemented now)."""
    settings.CONFERENCING_PROVIDERS = {
        name: path for name, path in settings.CONFERENCING_PROVIDERS.items() if name != "teams"
    }


def test_a_service_on_a_provider_not_here_gets_no_meeting_and_zoom_is_not_called(zoom, hosted, alice, maria):
    tenant_settings.update(alice, {"enabled": True})
    service = make_service(alice, maria, name="Call", video_provider="teams")
    zoom.control.clear_requests()
    booking = book(service, maria, a_monday())
    settle()

    assert not Meeting.objects.filter(appointment=booking.appointment).exists()
    assert meeting_calls(zoom) == []

    catalog.update_service(
        service, catalog.ServiceChanges(video_provider="zoom", fallback_video_provider=None)
    )
    settle()
    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY
    assert [(method, path) for method, path, _ in meeting_calls(zoom)] == [("POST", "/v2/users/me/meetings")]


def test_a_provider_not_here_with_zoom_as_its_fallback_gets_zoom_meetings(zoom, hosted, alice, maria):
    tenant_settings.update(alice, {"enabled": True})
    service = make_service(alice, maria, name="Call", video_provider="teams", fallback_video_provider="zoom")
    booking = book(service, maria, a_monday())
    settle()

    meeting = Meeting.objects.get(appointment=booking.appointment)
    assert meeting.state == Meeting.State.READY and meeting.provider == "zoom" and meeting.join_url
