"""The panel in Chromium: signing in, the meeting in the details, START MEETING on the emulator, retry and
cancel.
Screenshots of the dashboard and the details land in docs/screenshots/ at desktop and phone width."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rendez.api.tests.fixtures import ApiClient
from rendez.conferencing.models import Meeting
from rendez.conferencing.port import MeetingSpec, get_provider
from rendez.jobs.models import Job
from rendez.scheduling.models import Booking, Staff
from rendez.scheduling.tests.factories import book, make_api_key, make_service
from rendez.tenants.models import Membership
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff
from rendez.web.panel.tests.fixtures import berlin, make_meeting, member, sign_in_page
from rendez.web.tests.screens import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_sees_the_meeting_retries_a_failed_one_and_cancels(
    live_server, page, ada, doras_appointment, emils_appointment, monday
):
    make_meeting(doras_appointment)
    failed = make_meeting(
        emils_appointment,
        Meeting.State.FAILED,
        external_id="",
        join_url="",
        password="",
        last_error="Emil's Zoom connection was revoked: reconnect it in Staff → Emil → Zoom.",
    )
    sign_in_page(page, live_server, "ada@alice.example")
    page.get_by_role("heading", name="Dashboard").wait_for()
    assert page.get_by_text("Meeting failed: Massage with Emil").is_visible()
    shoot(page, "panel-dashboard")

    page.get_by_role("link", name="Appointments", exact=True).click()
    page.locator(f'td a[href="/panel/appointments/{doras_appointment.pk}/"]').click()
    assert page.get_by_test_id("join-url").inner_text() == "https://zoom.example/j/85746352413?pwd=abc"
    assert page.get_by_test_id("password").inner_text() == "4821"
    start = page.get_by_role("link", name="START MEETING")
    assert start.get_attribute("target") == "_blank" and start.get_attribute("rel") == "noopener"
    shoot(page, "panel-appointment")

    page.goto(live_server.url + f"/panel/appointments/{emils_appointment.pk}/")
    assert page.get_by_text("Emil's Zoom connection was revoked").is_visible()
    Job.objects.all().delete()
    page.get_by_role("button", name="Retry").click()
    page.get_by_text("The meeting is being made again").wait_for()
    assert Job.objects.filter(kind="conferencing.sync", key=f"appointment:{failed.appointment_id}").exists()

    page.get_by_role("button", name="Cancel Grace's booking").click()
    page.get_by_role("button", name="Yes, cancel it").click()
    page.get_by_text("Grace's booking is now cancelled.").wait_for()
    assert emils_appointment.bookings.get().status == Booking.Status.CANCELLED


def test_staff_start_their_meeting_on_the_emulator_as_host(
    live_server,
    page,
    alice,
    zoom,  # noqa: F811 - the fixture, imported above
    maria,  # noqa: F811
    django_user_model,
):
    user = member(alice, "maria", Membership.Role.STAFF, django_user_model)
    Staff.objects.filter(pk=maria.pk).update(user=user)
    connect_staff(ApiClient(make_api_key(alice)), zoom, maria, MARIA)
    service = make_service(alice, maria, name="Video consultation", zoom_enabled=True)
    monday = berlin(timezone.now().date(), 0).date()
    monday = monday + timedelta(days=7 - monday.weekday() + 14)
    appointment = book(service, maria, berlin(monday, 10), "Charlie", now=timezone.now()).appointment
    host = get_provider("zoom").host_for(maria)
    assert host is not None
    spec = MeetingSpec(
        topic="Video consultation",
        agenda="",
        start=appointment.start,
        duration_minutes=30,
        timezone="Europe/Berlin",
    )
    info = get_provider("zoom").create(host, spec, attempt_started_at=timezone.now())
    Meeting.objects.update_or_create(
        appointment=appointment,
        defaults={
            "tenant": alice,
            "state": Meeting.State.READY,
            "external_id": info.external_id,
            "join_url": info.join_url,
            "password": info.password,
            "host_connection_id": host.connection_id,
            "host_user_key": host.user_key,
        },
    )

    sign_in_page(page, live_server, "maria")
    page.get_by_role("heading", name="My appointments").wait_for()
    page.goto(live_server.url + f"/panel/appointments/{appointment.pk}/")
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="START MEETING").click()
    host_page = opened.value
    host_page.wait_for_load_state()
    assert host_page.url.startswith(zoom.base_url) and f"/s/{info.external_id}" in host_page.url
    host_page.locator('[data-testid="started"]').wait_for()
    assert "Maria Koch" in host_page.content()


def test_staff_and_outsiders_reach_only_their_own_pages(
    live_server, page, dora_user, dora, emil, olga, doras_appointment, emils_appointment
):
    sign_in_page(page, live_server, "dora")
    page.get_by_role("heading", name="My appointments").wait_for()
    page.goto(live_server.url + "/panel/staff/me/")
    assert page.get_by_role("heading", name="Zoom", exact=False).first.is_visible()
    for path in (
        f"/panel/staff/{emil.pk}/",
        f"/panel/appointments/{emils_appointment.pk}/",
        "/panel/settings/zoom/",
    ):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 404, path
        assert page.get_by_text("Emil").count() == 0

    page.context.clear_cookies()
    sign_in_page(page, live_server, "olga")
    page.get_by_role("heading", name="Dashboard").wait_for()
    for path in (f"/panel/appointments/{doras_appointment.pk}/", f"/panel/staff/{dora.pk}/"):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 404, path
        assert page.get_by_text("Charlie").count() == 0
