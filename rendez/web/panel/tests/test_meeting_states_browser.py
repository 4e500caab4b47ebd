"""A retrying meeting in the calendar drawer, in Chromium: Dora reads why and when, clicks Retry, and the sync
that waited for its next attempt is due now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rendez import jobs
from rendez.conferencing.models import Meeting
from rendez.jobs.models import Job
from rendez.scheduling import events
from rendez.web.panel.tests.fixtures import make_meeting, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_retry_a_retrying_meeting_from_the_drawer(
    live_server, page, dora_user, doras_appointment, monday
):
    make_meeting(
        doras_appointment,
        Meeting.State.RETRYING,
        external_id="",
        join_url="",
        password="",
        last_error="Zoom answered 500 (internal error).",
        next_attempt_at=timezone.now() + timedelta(minutes=20),
    )
    Job.objects.all().delete()
    key = events.appointment_key(doras_appointment.pk)
    later = timezone.now() + timedelta(minutes=20)
    payload = {"appointment_id": doras_appointment.pk}
    tenant_id = doras_appointment.tenant_id
    jobs.enqueue(events.SYNC_MEETING, payload, key=key, run_after=later, coalesce=True, tenant_id=tenant_id)

    sign_in_page(page, live_server, "dora")
    page.goto(live_server.url + f"/panel/calendar/?date={monday.isoformat()}")
    page.locator(f'button[data-appointment="{doras_appointment.pk}"]').click()
    drawer = page.get_by_role("dialog")
    assert drawer.get_by_test_id("meeting-state").inner_text() == "Retrying"
    assert drawer.get_by_test_id("meeting-reason").inner_text() == "Zoom answered 500 (internal error)."
    assert drawer.get_by_test_id("next-attempt").inner_text().startswith("at ")

    drawer.get_by_role("button", name="Retry").click()
    drawer.get_by_test_id("notice").wait_for()
    assert drawer.get_by_test_id("notice").inner_text().startswith("Rendez is trying again now")
    assert [job.run_after <= timezone.now() for job in Job.objects.filter(key=key)] == [True]
