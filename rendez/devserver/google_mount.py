"""Mounts the Google emulator under /_google/ of this process when CALENDAR_EMULATORS=1 (the demo's Google).

The GOOGLE_* settings point at this mount (settings.py); the emulator is told Rendez's callback URI, since it
depends on the port, and may push to this http address (its emulator-only switch; Google requires https).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

MOUNT_PATH = "/_google"
WsgiApp = Callable[..., Any]


def with_emulator(application: WsgiApp) -> WsgiApp:
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from google_emulator import Emulator

    emulator = Emulator(
        state_file=str(Path(settings.VAR_DIR) / "google-emulator.json"),
        public_base_url=settings.BASE_URL + MOUNT_PATH,
    )
    emulator.settings.allow_insecure_push = bool(settings.GOOGLE_PUSH_OVER_HTTP)
    callback = f"{settings.BASE_URL}/integrations/google/callback"
    with emulator.lock:
        client = emulator.state.clients.get(settings.GOOGLE_CLIENT_ID)
        if client is not None and callback not in client.redirect_uris:
            client.redirect_uris.append(callback)
    return DispatcherMiddleware(application, {MOUNT_PATH: emulator.wsgi_app})
