"""The business's choice to offer, for video services, staff who cannot host a Zoom meeting yet
(`Tenant.offer_staff_without_zoom`, set in the business profile): off, the booking page leaves them out; on,
it offers them, and a booking with one gets its meeting (and the customer the link) once they connect Zoom.
Through the Zoom emulator over HTTP and a real SMTP server."""

from __future__ import annotations

import html

import pytest

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.notifications.compose import LINK_FOLLOWS_LINE
from rendez.notifications.defaults import install_default_workflows
from rendez.notifications.tests.fixtures import plain_text
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service
from rendez.tenants.profile import update_profile
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff, settle
from rendez.web.booking.tests.test_booking import a_monday, details, details_url

pytestmark = pytest.mark.django_db


def meeting_creates(zoom) -> list[str]:  # noqa: F811
    return [entry["path"] for entry in zoom.control.requests("POST") if entry["path"].endswith("/meetings")]


@pytest.fixture
def video(alice, dora, maria):  # noqa: F811
    """Dora has a Zoom account connected; Maria has none yet."""
    tenant_settings.update(alice, {"enabled": True})
    return make_service(alice, dora, maria, name="Video consultation", zoom_enabled=True)


def test_off_staff_who_cannot_host_are_left_out(client, alice, dora, maria, video, api, zoom):  # noqa: F811
    connect_staff(api, zoom, dora, MARIA)

    page = client.get(f"/book/alice/{video.pk}/").content.decode()

    assert "Dora" in page and "Maria Koch" not in page
    client.post(details_url(video), details(video, a_monday(10), staff=maria.pk))
    assert not Booking.objects.exists()


def test_on_they_are_offered_and_the_link_follows_once_they_connect(
    client,
    smtp_server,  # noqa: F811
    alice,  # noqa: F811
    maria,  # noqa: F811
    video,
    api,  # noqa: F811
    zoom,  # noqa: F811
):
    install_default_workflows(alice)
    update_profile(alice, {"offer_staff_without_zoom": True})

    page = client.get(f"/book/alice/{video.pk}/").content.decode()
    assert "Maria Koch" in page and "Dora" in page
    response = client.post(details_url(video), details(video, a_monday(10), staff=maria.pk))
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.appointment.staff == maria
    settle()

    # No host yet: no meeting made; the customer is told the link follows.
    assert Meeting.objects.get().state == Meeting.State.FAILED
    assert meeting_creates(zoom) == []
    (confirmation,) = smtp_server.to("charlie@example.com")
    assert LINK_FOLLOWS_LINE in plain_text(confirmation)
    done = client.get(response["Location"]).content.decode()
    assert "The link will follow by email." in html.unescape(done)

    connect_staff(api, zoom, maria, MARIA)
    settle()

    meeting = Meeting.objects.get()
    assert meeting.state == Meeting.State.READY and meeting.join_url
    assert meeting_creates(zoom) == ["/v2/users/me/meetings"]
    link = smtp_server.to("charlie@example.com")[-1]
    assert link["Subject"].startswith("Video link: Video consultation")
    assert meeting.join_url in plain_text(link)


def test_the_profile_sets_it_for_its_own_business_only(alice, bob):  # noqa: F811
    update_profile(alice, {"offer_staff_without_zoom": True})

    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.offer_staff_without_zoom and not bob.offer_staff_without_zoom
