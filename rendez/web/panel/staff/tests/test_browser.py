"""The staff pages in Chromium: an admin connects a staff member through the emulator's consent page and
disconnects after confirming; a staff member connects their own Zoom on "My schedule".
Screenshots of the staff page with its Zoom section land in docs/screenshots/ at desktop and phone width."""

from __future__ import annotations

import re

import pytest

from rendez.integrations.zoom.models import Connection
from rendez.scheduling.catalog import add_time_off
from rendez.tests.integrations.zoom.fixtures import CLIENT_ID, JONAS_EMAIL, MARIA_EMAIL
from rendez.web.panel.tests.fixtures import PASSWORD, a_monday, berlin, sign_in_page
from rendez.web.tests.screens import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zoom_here(zoom, live_server, settings):
    """The emulator sends browsers back to the live server, as it would to a real installation."""
    settings.BASE_URL = live_server.url
    zoom.control.add_redirect_uri(CLIENT_ID, f"{live_server.url}/integrations/zoom/callback")
    return zoom


def _consent(page, zoom, who: str, question: str) -> None:
    """Allow at the emulator as `who`, then answer Rendez's question (`question`) with Connect."""
    page.wait_for_url(re.compile(re.escape(zoom.base_url) + ".*/oauth/authorize"))
    page.get_by_label(re.compile(who)).check()
    page.get_by_role("button", name="Allow").click()
    page.get_by_role("heading", name=question).wait_for()
    page.get_by_role("button", name="Connect", exact=True).click()
    page.get_by_role("heading", name="Your Zoom account has been connected").wait_for()
    page.get_by_role("link", name="Back to Rendez").click()


def test_an_admin_connects_a_staff_member_on_zoom_and_disconnects(live_server, page, ada, maria, zoom_here):
    monday = a_monday()
    add_time_off(maria, start=berlin(monday, 9), end=berlin(monday, 13), reason="Dentist")
    sign_in_page(page, live_server, "ada@alice.example")
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name="Maria Koch").click()
    page.get_by_role("button", name="Click to connect Zoom account").click()

    _consent(
        page, zoom_here, "Maria Koch", f"Connect Zoom user {MARIA_EMAIL} to Maria Koch at Alice's Studio?"
    )
    section = page.get_by_test_id("zoom-section")
    section.get_by_text("Zoom: connected").wait_for()
    assert page.get_by_test_id("zoom-account").inner_text() == MARIA_EMAIL
    assert page.url == f"{live_server.url}/panel/staff/{maria.pk}/"
    shoot(page, "panel-staff")

    section.get_by_role("link", name="Disconnect").click()
    page.get_by_role("heading", name="Disconnect Zoom?").wait_for()
    assert Connection.objects.filter(staff=maria).exists()
    page.get_by_role("button", name="Yes, disconnect").click()
    page.get_by_text("Zoom account maria.koch@demo-clinic.example was disconnected").wait_for()
    assert page.get_by_role("button", name="Click to connect Zoom account").is_visible()
    assert not Connection.objects.filter(staff=maria).exists()


def test_staff_connect_their_own_zoom_on_my_zoom(live_server, page, dora_user, dora, zoom_here):
    sign_in_page(page, live_server, "dora")
    page.get_by_role("link", name="My schedule").click()
    page.get_by_role("heading", name="My schedule").wait_for()
    page.get_by_role("button", name="Click to connect Zoom account").click()

    _consent(
        page, zoom_here, "Jonas Weber", f"Connect Zoom user {JONAS_EMAIL} to {dora.name} at Alice's Studio?"
    )
    page.get_by_role("heading", name="My schedule").wait_for()
    assert page.get_by_test_id("zoom-account").inner_text() == JONAS_EMAIL
    assert Connection.objects.get(staff=dora).email == JONAS_EMAIL
    shoot(page, "panel-my-zoom")


def test_a_link_approved_without_a_session_connects_only_after_the_staff_member_signs_in(
    live_server, page, api, dora_user, dora, zoom_here
):
    """The API started the connect; the approval happens in a browser signed in to nothing."""
    authorize_url = api.post(f"/staff/{dora.pk}/zoom/connect").json()["authorize_url"]
    page.goto(authorize_url)
    page.get_by_label(re.compile("Jonas Weber")).check()
    page.get_by_role("button", name="Allow").click()

    page.wait_for_url("**/login/?next=/integrations/zoom/confirm/**")
    assert not Connection.objects.filter(staff=dora).exists()
    page.get_by_label("Email or username").fill("dora")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role(
        "heading", name=f"Connect Zoom user {JONAS_EMAIL} to {dora.name} at Alice's Studio?"
    ).wait_for()
    assert not Connection.objects.filter(staff=dora).exists()
    page.get_by_role("button", name="Connect", exact=True).click()

    page.get_by_role("heading", name="Your Zoom account has been connected").wait_for()
    assert Connection.objects.get(staff=dora).email == JONAS_EMAIL
