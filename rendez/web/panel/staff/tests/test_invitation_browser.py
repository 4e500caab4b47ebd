"""From a staff invitation email to the staff member's own calendar, in Chromium at desktop and phone
width: the admin invites Emil on his staff page, the email arrives at a real SMTP server, Emil opens its
link, chooses a password, lands on his calendar, and keeps his own time off on "My schedule". Screenshots of
the staff page's sign-in card, the set-password page and "My schedule" land in docs/screenshots/."""

from __future__ import annotations

import re

import pytest

from rendez.scheduling.models import TimeOff
from rendez.tests.integrations.zoom.fixtures import run_jobs
from rendez.web.panel.tests.fixtures import a_monday, sign_in_page
from rendez.web.tests.screens import DESKTOP, PHONE, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMIL_EMAIL = "emil@alice.example"
PASSWORD = "violet-harbour-1842"


@pytest.fixture
def here(live_server, settings):
    settings.BASE_URL = live_server.url
    return live_server


def _invite(page, live_server, emil) -> None:
    sign_in_page(page, live_server, "ada@alice.example")
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name="Emil").click()
    card = page.get_by_test_id("sign-in-section")
    card.get_by_label("Email").fill(EMIL_EMAIL)
    card.get_by_role("button", name="Send invitation").click()
    page.get_by_text(f"Invitation sent to {EMIL_EMAIL}").wait_for()
    run_jobs()  # the worker beside the server sends the email the invitation enqueued
    assert "Invited, not accepted yet" in page.get_by_test_id("sign-in-section").inner_text()


def _link(inbox) -> str:
    [message] = inbox.to(EMIL_EMAIL)
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"(http://\S+/panel/staff/join/\S+/)", body)
    assert found is not None, body
    return found.group(1)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_from_the_invitation_email_to_the_staff_members_own_calendar(
    browser, page, here, ada, emil, smtp_server, width
):
    _invite(page, here, emil)
    if width == "desktop":
        shoot(page.get_by_test_id("sign-in-section").page, "panel-staff-invited")

    viewport = DESKTOP if width == "desktop" else PHONE
    context = browser.new_context(viewport=viewport, is_mobile=width == "phone", has_touch=width == "phone")
    emils = context.new_page()
    emils.set_default_timeout(10_000)
    try:
        emils.goto(_link(smtp_server))
        emils.get_by_role("heading", name="Join Alice's Studio").wait_for()
        assert "/set-password/" in emils.url
        emils.get_by_label("New password", exact=True).fill(PASSWORD)
        emils.get_by_label("New password confirmation").fill(PASSWORD)
        if width == "desktop":
            shoot(emils, "staff-invitation-set-password")
        emils.get_by_role("button", name="Set password and sign in").click()

        emils.wait_for_url(f"{here.url}/panel/calendar/")
        emils.get_by_text("Welcome to Alice's Studio. This is your calendar.").wait_for()
        assert emils.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

        emils.get_by_role("link", name="My schedule").click()
        emils.get_by_role("heading", name="My schedule", exact=True).wait_for()
        monday = a_monday().isoformat()
        emils.get_by_label("Away from").fill(f"{monday}T09:00")
        emils.get_by_label("Back at").fill(f"{monday}T12:00")
        emils.get_by_label("Reason").fill("Training")
        emils.get_by_role("button", name="Add time off").click()
        emils.get_by_text("Time off was added for Emil").wait_for()
        assert "Training" in emils.get_by_test_id("time-off-list").inner_text()
        assert emils.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if width == "desktop":
            shoot(emils, "panel-my-schedule")
    finally:
        context.close()
    assert TimeOff.objects.get(staff=emil).reason == "Training"

    page.reload()
    assert "Active" in page.get_by_test_id("sign-in-section").inner_text()
    changes = page.get_by_test_id("recent-changes").inner_text()
    assert "Time off added" in changes and "Training" in changes
