"""A real meeting, made on the Zoom emulator by the real worker: every customer page shows its join link and
passcode where it should, and never the host's start link."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff, run_jobs
from rendez.web.customer.tests.bookings import book, next_monday
from rendez.web.tests.emails import sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def video_booking(alice, maria, api, zoom) -> Booking:  # noqa: F811
    tenant_settings.update(alice, {"enabled": True})
    connect_staff(api, zoom, maria, MARIA)
    service = make_service(alice, maria, name="Video consultation", duration_minutes=30, zoom_enabled=True)
    booking = book(service, maria, next_monday(10))
    for _ in range(5):
        if not run_jobs():
            break
    return booking


def test_no_customer_page_carries_the_host_link(client: Client, video_booking, mailoutbox):
    meeting = Meeting.objects.get(appointment=video_booking.appointment)
    assert meeting.state == Meeting.State.READY
    token = video_booking.manage_token
    client.post("/my/alice/", {"email": "charlie@example.com"})
    sign_in = re.findall(r"/my/alice/sign-in/\S+", sent(mailoutbox)[-1].body)[0]
    client.post(sign_in)

    pages = [f"/manage/{token}", f"/manage/{token}/video", f"/manage/{token}/reschedule",
             f"/manage/{token}/cancel", "/my/alice/"]  # fmt: skip
    bodies = {path: client.get(path).content.decode() for path in pages}

    assert meeting.join_url in bodies[f"/manage/{token}"] and meeting.password in bodies[f"/manage/{token}"]
    assert f"/manage/{token}" in bodies["/my/alice/"]
    for path, body in bodies.items():
        assert f"/s/{meeting.external_id}" not in body, path
        assert "zak=" not in body and "start-meeting" not in body, path
