"""System checks that say plainly what is half-configured on the operator's side."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

from rendez.integrations.zoom import conf


@register("zoom")
def zoom_configuration(app_configs=None, **kwargs) -> list:
    problems: list = []
    configured = list(getattr(settings, "ZOOM_CONNECTION_MODES", []))
    unknown = sorted(set(configured) - {mode.value for mode in conf.ALL_MODES})
    if unknown:
        problems.append(
            Error(
                f"ZOOM_CONNECTION_MODES names unknown modes: {', '.join(unknown)}.",
                hint="Use any of staff_oauth, tenant_oauth, tenant_s2s, comma separated.",
                id="zoom.E001",
            )
        )
    if not configured:
        problems.append(
            Warning(
                "ZOOM_CONNECTION_MODES is empty: no tenant can connect Zoom, so no meeting is ever created.",
                hint="Leave it unset for all three modes, or name the ones you offer.",
                id="zoom.W004",
            )
        )
    oauth_modes = sorted(set(conf.enabled_modes()) & conf.OAUTH_MODES)
    client_id, client_secret = conf.client_credentials()
    if bool(client_id) != bool(client_secret):
        missing = "ZOOM_CLIENT_SECRET" if client_id else "ZOOM_CLIENT_ID"
        problems.append(
            Error(
                f"The platform's Zoom OAuth app is half configured: {missing} is empty.",
                hint="Set both from the Zoom OAuth app's App Credentials page.",
                id="zoom.E002",
            )
        )
    elif oauth_modes and not client_id:
        problems.append(
            Warning(
                f"Zoom OAuth modes are enabled ({', '.join(oauth_modes)}) but ZOOM_CLIENT_ID and "
                "ZOOM_CLIENT_SECRET are empty, so no one can connect Zoom that way.",
                hint="Set both from your Zoom OAuth app's App Credentials page, or set ZOOM_CONNECTION_MODES "
                "to the modes you offer (tenant_s2s needs no platform app).",
                id="zoom.W003",
            )
        )
    if oauth_modes and client_id and not conf.webhook_secret():
        problems.append(
            Warning(
                "ZOOM_WEBHOOK_SECRET_TOKEN is empty: Zoom's events (app deauthorized) cannot be verified and "
                "are refused, so Rendez will not notice when a user removes the app.",
                hint="Copy the Secret Token from your Zoom app's Access page.",
                id="zoom.W001",
            )
        )
    for name in ("ZOOM_API_BASE_URL", "ZOOM_OAUTH_BASE_URL"):
        value = str(getattr(settings, name, ""))
        if not settings.ZOOM_EMULATOR and not value.startswith("https://"):
            problems.append(
                Warning(
                    f"{name} is {value!r}, not an https URL: tokens would travel unencrypted.",
                    hint="Leave it unset for Zoom itself.",
                    id="zoom.W002",
                )
            )
    return problems
