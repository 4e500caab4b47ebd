"""Services and Zoom settings in Chromium: an admin connects the business's Zoom account through the
emulator's consent page, switches Zoom on for a service, then disconnects. Screenshots of the service form and
the Zoom settings page land in docs/screenshots/ at desktop and phone width."""

from __future__ import annotations

import pytest

from rendez.integrations.zoom.models import Connection, Mode
from rendez.scheduling.models import Service
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.zoom.fixtures import CLIENT_ID, MARIA_EMAIL
from rendez.web.panel.tests.fixtures import sign_in_page
from rendez.web.tests.screens import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_connects_zoom_toggles_it_on_a_service_and_disconnects(
    live_server, page, settings, zoom, ada, alice, dora
):
    settings.BASE_URL = live_server.url
    zoom.control.add_redirect_uri(CLIENT_ID, f"{live_server.url}/integrations/zoom/callback")
    service = make_service(alice, dora, name="Video consultation")
    sign_in_page(page, live_server, "ada@alice.example")

    # Without a connection the provider choice is disabled and links to the Zoom settings.
    page.get_by_role("link", name="Services").click()
    page.get_by_role("link", name="Video consultation").click()
    choice = page.get_by_label("Video meetings by")
    assert choice.is_disabled()
    page.get_by_role("link", name="Open the Zoom settings").click()

    # Settings: switch the integration on, with a shortcode picked into the topic and the preview following.
    page.get_by_role("heading", name="Zoom", exact=True).wait_for()
    page.get_by_label("Create Zoom meetings for bookings").check()
    topic = page.get_by_label("Meeting topic")
    topic.fill("Call: ")
    topic.press("End")
    page.get_by_role("button", name="{customer_name}", exact=True).click()
    assert topic.input_value() == "Call: {customer_name}"
    page.get_by_test_id("preview-topic").filter(has_text="Call: Charlie Example").wait_for()
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Zoom settings saved.").wait_for()

    # Connect through the emulator's consent page, as Maria (the Zoom account's owner).
    page.get_by_role("button", name="Connect Zoom account").click()
    page.get_by_text("would like to access your Zoom account").wait_for()
    page.locator("label.user", has_text=MARIA_EMAIL).click()
    page.get_by_role("button", name="Allow").click()
    page.get_by_role(
        "heading", name=f"Connect Zoom user {MARIA_EMAIL} as the business Zoom account"
    ).wait_for()
    page.get_by_role("button", name="Connect", exact=True).click()
    page.get_by_role("heading", name="Your Zoom account has been connected").wait_for()
    page.get_by_role("link", name="Back to Rendez").click()
    assert page.get_by_test_id("zoom-status").inner_text() == "Connected"
    assert Connection.objects.get(tenant=alice, staff__isnull=True).mode == Mode.TENANT_OAUTH
    shoot(page, "panel-settings-zoom")

    # Now the service can have Zoom.
    page.goto(f"{live_server.url}/panel/services/{service.pk}/")
    page.get_by_label("Video meetings by").select_option("zoom")
    page.get_by_label("Waiting room").select_option(label="On")
    page.get_by_label("Auto recording").select_option(label="Cloud")
    shoot(page, "panel-service-form")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Service “Video consultation” saved.").wait_for()
    service = Service.objects.get(pk=service.pk)
    assert service.zoom_enabled
    assert service.meeting_options == {"waiting_room": True, "auto_recording": "cloud"}

    # Disconnect, after confirming: Settings, then its Zoom card (connected, with the account's email).
    page.get_by_role("link", name="Settings", exact=True).click()
    assert MARIA_EMAIL in page.get_by_test_id("zoom-summary").inner_text()
    page.get_by_test_id("zoom-summary").click()
    page.get_by_role("link", name="Disconnect").click()
    page.get_by_role("button", name="Yes, disconnect Zoom").click()
    page.get_by_text("Zoom account disconnected.").wait_for()
    assert "No Zoom account is connected" in page.get_by_test_id("zoom-status").inner_text()
    assert not Connection.objects.filter(tenant=alice).exists()
