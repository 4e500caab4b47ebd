"""The system checks tell an operator plainly what is half-configured."""

from __future__ import annotations

import pytest

from rendez.integrations.zoom.checks import zoom_configuration


def ids(settings) -> set[str]:
    return {problem.id for problem in zoom_configuration()}


@pytest.fixture
def configured(settings):
    settings.ZOOM_CONNECTION_MODES = ["staff_oauth", "tenant_oauth", "tenant_s2s"]
    settings.ZOOM_CLIENT_ID, settings.ZOOM_CLIENT_SECRET = "client", "secret"
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = "webhook-secret"
    settings.ZOOM_EMULATOR = False
    settings.ZOOM_API_BASE_URL, settings.ZOOM_OAUTH_BASE_URL = "https://api.zoom.us/v2", "https://zoom.us"
    return settings


def test_a_complete_configuration_raises_nothing(configured):
    assert ids(configured) == set()


def test_an_unknown_mode_is_an_error(configured):
    configured.ZOOM_CONNECTION_MODES = ["staff_oauth", "tenant_jwt"]
    assert ids(configured) == {"zoom.E001"}


def test_a_client_id_without_its_secret_is_an_error(configured):
    configured.ZOOM_CLIENT_SECRET = ""
    assert "zoom.E002" in ids(configured)


def test_oauth_modes_without_the_platform_app_are_a_warning(configured):
    configured.ZOOM_CLIENT_ID = configured.ZOOM_CLIENT_SECRET = ""
    assert ids(configured) == {"zoom.W003"}


def test_only_server_to_server_needs_no_platform_app(configured):
    configured.ZOOM_CONNECTION_MODES = ["tenant_s2s"]
    configured.ZOOM_CLIENT_ID = configured.ZOOM_CLIENT_SECRET = configured.ZOOM_WEBHOOK_SECRET_TOKEN = ""
    assert ids(configured) == set()


def test_events_without_a_secret_token_are_a_warning(configured):
    configured.ZOOM_WEBHOOK_SECRET_TOKEN = ""
    assert ids(configured) == {"zoom.W001"}


def test_plain_http_base_urls_are_a_warning_outside_the_emulator(configured):
    configured.ZOOM_API_BASE_URL = "http://api.zoom.example/v2"
    assert ids(configured) == {"zoom.W002"}


def test_no_mode_at_all_is_a_warning(configured):
    configured.ZOOM_CONNECTION_MODES = []
    assert ids(configured) == {"zoom.W004"}
