"""A staff member's Microsoft 365 calendar in Chromium, over HTTP against the Microsoft emulator: Maria
connects it on "My schedule" through the emulator's consent page, lands back on her page with the card
connected and her default calendar chosen, picks which calendars block her times, and disconnects it.

Jobs run through the real worker in this thread, as `rendez worker` would beside the server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from microsoft_emulator import Emulator
from microsoft_emulator.testing import RunningEmulator, run_emulator
from rendez.calendars.models import CalendarConnection
from rendez.tests.integrations.microsoft.world import (
    MARIA,
    MARIA_ID,
    point_rendez_at,
    quiet_seed,
    settle,
)
from rendez.web.panel.staff.tests.calendar_steps import connect_on_my_schedule
from rendez.web.panel.tests.fixtures import PASSWORD, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def microsoft_here(settings, live_server) -> Iterator[RunningEmulator]:
    """The Microsoft emulator on a real port; it sends browsers back to the live server."""
    with run_emulator(Emulator(seed=quiet_seed())) as running:
        point_rendez_at(settings, running, live_server.url)
        yield running


def test_maria_connects_her_microsoft_calendar_chooses_calendars_and_disconnects(
    live_server, page, maria, maria_user, microsoft_here
):
    microsoft = microsoft_here
    maria_user.set_password(PASSWORD)
    maria_user.save(update_fields=["password"])
    sign_in_page(page, live_server, "maria")
    consent_url = f"{microsoft.login_base_url}/common/oauth2/v2.0/authorize"
    connect_on_my_schedule(page, live_server, "microsoft", consent_url, MARIA, allow="accept")

    settle()  # the first sync and the backfill, as the worker would run them
    page.reload()
    calendars = {c["name"]: c for c in microsoft.control.state()["calendars"] if c["owner_id"] == MARIA_ID}
    [default] = [c for c in calendars.values() if c["is_default"]]
    choice = page.get_by_test_id("microsoft-choice")
    expect(choice.get_by_label("Calendar that receives appointments")).to_have_value(default["id"])
    for name in calendars:
        choice.get_by_role("checkbox", name=re.compile(re.escape(name))).check()
    choice.get_by_role("button", name="Save calendar choices").click()
    expect(page.get_by_text("Calendar choices saved")).to_be_visible()
    connection = CalendarConnection.objects.get(staff=maria, provider="microsoft")
    assert sorted(connection.busy_calendar_ids) == sorted(c["id"] for c in calendars.values())

    page.get_by_test_id("microsoft-disconnect").click()
    expect(page.get_by_text(f"Microsoft 365 {MARIA} was disconnected")).to_be_visible()
    card = page.get_by_test_id("microsoft-calendar-section")
    expect(card.get_by_role("button", name="Connect Microsoft 365")).to_be_visible()
    connection.refresh_from_db()
    assert connection.status == CalendarConnection.Status.DISCONNECTED
