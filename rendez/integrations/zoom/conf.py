"""The operator's Zoom configuration, read from settings (which read the environment)."""

from __future__ import annotations

from django.conf import settings

from rendez.integrations.zoom.models import Mode

ALL_MODES = (Mode.STAFF_OAUTH, Mode.TENANT_OAUTH, Mode.TENANT_S2S)
OAUTH_MODES = frozenset({Mode.STAFF_OAUTH, Mode.TENANT_OAUTH})


def enabled_modes() -> list[str]:
    """`ZOOM_CONNECTION_MODES` in Zoom's order, unknown names left out (the system check names them)."""
    configured = set(getattr(settings, "ZOOM_CONNECTION_MODES", ALL_MODES))
    return [mode.value for mode in ALL_MODES if mode.value in configured]


def mode_enabled(mode: str) -> bool:
    return mode in enabled_modes()


def api_base_url() -> str:
    return str(settings.ZOOM_API_BASE_URL).rstrip("/")


def oauth_base_url() -> str:
    return str(settings.ZOOM_OAUTH_BASE_URL).rstrip("/")


def client_credentials() -> tuple[str, str]:
    """The platform OAuth app's client id and secret."""
    return str(settings.ZOOM_CLIENT_ID), str(settings.ZOOM_CLIENT_SECRET)


def webhook_secret() -> str:
    return str(settings.ZOOM_WEBHOOK_SECRET_TOKEN)


def redirect_uri() -> str:
    return f"{settings.BASE_URL}/integrations/zoom/callback"
