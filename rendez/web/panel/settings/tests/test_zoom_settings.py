"""Settings → Integrations → Zoom: settings saved through `tenant_settings`, the live preview, connecting by
OAuth (through the emulator's consent) and by Server-to-Server credentials, disconnecting, and refusals."""

from __future__ import annotations

import pytest

from rendez.integrations.zoom import tenant_settings
from rendez.integrations.zoom.models import Connection, Mode, ZoomSettings
from rendez.tenants.models import Plan
from rendez.tests.integrations.zoom.fixtures import (
    MARIA,
    MARIA_EMAIL,
    S2S_ACCOUNT_ID,
    S2S_CLIENT_ID,
    S2S_CLIENT_SECRET,
    consent,
    finish,
)
from rendez.web.panel.tests.fixtures import signed_in

pytestmark = pytest.mark.django_db

URL = "/panel/settings/zoom/"
SETTINGS = {
    "enabled": "on",
    "topic_template": "{service_name} with {staff_name}",
    "description_template": "Booked by {customer_name}.",
    "random_password": "on",
}
S2S = {"account_id": S2S_ACCOUNT_ID, "client_id": S2S_CLIENT_ID, "client_secret": S2S_CLIENT_SECRET}


def test_the_page_shows_the_settings_picker_and_connection_methods(ada_client, settings):
    settings.ZOOM_CONNECTION_MODES = ["staff_oauth", "tenant_oauth", "tenant_s2s"]
    page = ada_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Connect Zoom account" in html
    assert 'name="client_secret"' in html and "Account ID" in html and "Client ID" in html
    assert 'data-shortcode="customer_name"' in html and 'data-shortcode="zoom_meeting_url"' not in html
    assert "/static/web/shortcodes.js" in html
    assert 'hx-post="/panel/settings/zoom/preview/"' in html
    home = ada_client.get("/panel/settings/").content.decode()
    assert f'href="{URL}"' in home and 'href="/panel/settings/profile/"' in home


def test_the_operators_modes_decide_the_connection_methods(ada_client, settings):
    settings.ZOOM_CONNECTION_MODES = ["tenant_s2s"]
    html = ada_client.get(URL).content.decode()
    assert "Connect Zoom account" not in html and 'name="client_secret"' in html
    settings.ZOOM_CONNECTION_MODES = ["tenant_oauth"]
    html = ada_client.get(URL).content.decode()
    assert "Connect Zoom account" in html and 'name="client_secret"' not in html
    assert ada_client.post("/panel/settings/zoom/s2s/", S2S).status_code == 302
    assert not Connection.objects.exists()


def test_settings_are_saved(ada_client, alice):
    response = ada_client.post(URL, SETTINGS)
    assert response.status_code == 302
    saved = tenant_settings.settings_of(alice)
    assert saved.enabled and saved.random_password
    assert saved.topic_template == "{service_name} with {staff_name}"
    assert saved.description_template == "Booked by {customer_name}."

    assert ada_client.post(URL, {**SETTINGS, "enabled": "", "random_password": ""}).status_code == 302
    saved = tenant_settings.settings_of(alice)
    assert not saved.enabled and not saved.random_password


def test_an_unknown_shortcode_is_shown_and_nothing_is_saved(ada_client, alice):
    response = ada_client.post(URL, {**SETTINGS, "topic_template": "Call with {nobody}"})
    assert response.status_code == 400
    assert "{nobody}" in response.context["form"].errors["topic_template"][0]
    assert not ZoomSettings.objects.filter(tenant=alice).exists()


def test_the_preview_renders_the_templates_with_a_sample_appointment(ada_client):
    response = ada_client.post(
        "/panel/settings/zoom/preview/",
        {
            "topic_template": "{service_name} with {staff_name}",
            "description_template": "{customer_name}, {tenant_name}",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Consultation with Dora Staff" in html and "Charlie Example, Alice&#x27;s Studio" in html
    assert "<html" not in html  # a fragment

    response = ada_client.post(
        "/panel/settings/zoom/preview/",
        {"topic_template": "{zoom_meeting_url} {oops}", "description_template": ""},
    )
    html = response.content.decode()
    assert 'role="alert"' in html and "{oops}" in html and "{zoom_meeting_url}" in html


def test_s2s_refused_by_zoom_shows_zooms_reason_and_stores_nothing(ada_client, zoom, alice):
    response = ada_client.post("/panel/settings/zoom/s2s/", {**S2S, "client_secret": "not-the-secret"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Zoom refused these credentials" in html and "Invalid client_id or client_secret" in html
    assert "not-the-secret" not in html  # the secret is never shown back
    assert not Connection.objects.exists()


def test_s2s_accepted_by_zoom_connects_the_tenant(ada_client, zoom, alice):
    response = ada_client.post("/panel/settings/zoom/s2s/", S2S)
    assert response.status_code == 302
    connection = Connection.objects.get(tenant=alice, staff__isnull=True)
    assert connection.mode == Mode.TENANT_S2S and connection.account_id == S2S_ACCOUNT_ID
    html = ada_client.get(URL).content.decode()
    assert "Connected" in html and S2S_CLIENT_SECRET not in html


def test_connect_goes_to_zoom_and_the_consent_connects_the_tenant(ada_client, zoom, alice):
    response = ada_client.post("/panel/settings/zoom/connect/")
    assert response.status_code == 302
    assert response.url.startswith(zoom.base_url + "/oauth/authorize?")
    back = finish(ada_client, consent(zoom, response.url, MARIA))
    assert back.status_code == 200
    assert 'href="http://testserver/panel/settings/zoom/"' in back.content.decode()
    connection = Connection.objects.get(tenant=alice, staff__isnull=True)
    assert connection.mode == Mode.TENANT_OAUTH and connection.email == MARIA_EMAIL
    assert b"Connected" in ada_client.get(URL).content


def test_a_connection_needing_reconnect_shows_the_reason_and_a_reconnect_button(ada_client, alice, settings):
    settings.ZOOM_CONNECTION_MODES = ["tenant_oauth"]
    Connection.objects.create(
        tenant=alice,
        mode=Mode.TENANT_OAUTH,
        status=Connection.Status.NEEDS_RECONNECT,
        broken_reason="The Zoom app was removed from the account.",
    )
    html = ada_client.get(URL).content.decode()
    assert "Needs reconnecting" in html and "The Zoom app was removed from the account." in html
    assert "Reconnect Zoom account" in html


def test_disconnect_asks_first_then_forgets_the_connection(ada_client, alice):
    Connection.objects.create(tenant=alice, mode=Mode.TENANT_S2S, account_id="acct")
    page = ada_client.get("/panel/settings/zoom/disconnect/")
    assert page.status_code == 200 and b"Yes, disconnect Zoom" in page.content
    assert Connection.objects.exists()
    assert ada_client.post("/panel/settings/zoom/disconnect/").status_code == 302
    assert not Connection.objects.exists()


def test_without_the_plans_capability_the_page_says_so_and_offers_nothing(ada_client, alice, zoom):
    alice.plan = Plan.objects.create(slug="basic", name="Basic", capabilities=[])
    alice.save(update_fields=["plan"])
    page = ada_client.get(URL)
    html = page.content.decode()
    assert "not part of this business" in html
    assert "Connect Zoom account" not in html and 'name="client_secret"' not in html
    assert 'name="topic_template"' not in html
    assert ada_client.post(URL, SETTINGS).status_code == 403
    assert ada_client.post("/panel/settings/zoom/s2s/", S2S).status_code == 302
    assert ada_client.post("/panel/settings/zoom/connect/").url == URL
    assert not Connection.objects.exists() and not ZoomSettings.objects.exists()


def test_staff_and_outsiders_are_refused(dora_client, olga_client, alice):
    Connection.objects.create(tenant=alice, mode=Mode.TENANT_S2S, account_id="acct")
    urls = ("/panel/settings/", URL, "/panel/settings/zoom/disconnect/")
    for url in urls:
        assert dora_client.get(url).status_code == 404
    for url in (URL, "/panel/settings/zoom/preview/", "/panel/settings/zoom/connect/"):
        assert dora_client.post(url, SETTINGS).status_code == 404
    assert dora_client.post("/panel/settings/zoom/disconnect/").status_code == 404
    # Olga's own tenant has no connection: nothing of alice's is reachable from her session.
    assert olga_client.post("/panel/settings/zoom/disconnect/").status_code == 302
    assert Connection.objects.filter(tenant=alice).exists()
    assert not ZoomSettings.objects.filter(tenant=alice).exists()


def test_posts_without_csrf_token_are_refused(ada, alice):
    Connection.objects.create(tenant=alice, mode=Mode.TENANT_S2S, account_id="acct")
    client = signed_in(ada, alice, enforce_csrf_checks=True)
    for url in (URL, "/panel/settings/zoom/disconnect/", "/panel/settings/zoom/connect/"):
        assert client.post(url, SETTINGS).status_code == 403
    assert Connection.objects.exists() and not ZoomSettings.objects.exists()
