"""Mounts the Microsoft emulator under /_microsoft/ of this process when CALENDAR_EMULATORS=1 (the demo's
Microsoft 365). The MICROSOFT_* settings point at this mount (settings.py); the emulator is told Rendez's
callback URI, since it depends on the port. Subscriptions stay off over http unless
MICROSOFT_NOTIFICATIONS_OVER_HTTP=1 (Graph requires https): the delta poll keeps busy times current.
Its state is kept in var/microsoft-emulator.json, written behind at most once a second, so a restart of
`make run` keeps the staff's grants and the events Rendez wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

MOUNT_PATH = "/_microsoft"
WsgiApp = Callable[..., Any]


def with_emulator(application: WsgiApp) -> WsgiApp:
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from microsoft_emulator import Emulator

    emulator = Emulator(
        public_base_url=settings.BASE_URL + MOUNT_PATH,
        state_file=str(Path(settings.VAR_DIR) / "microsoft-emulator.json"),
        save_delay=1.0,
    )
    emulator.config.allow_http_notification_urls = bool(settings.MICROSOFT_NOTIFICATIONS_OVER_HTTP)
    emulator.add_redirect_uri(
        settings.MICROSOFT_CLIENT_ID, f"{settings.BASE_URL}/integrations/microsoft/callback"
    )
    return DispatcherMiddleware(application, {MOUNT_PATH: emulator.wsgi_app})
