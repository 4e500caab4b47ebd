"""Mounts the Zoom emulator under /_zoom/ of this process when ZOOM_EMULATOR=1 (the demo's Zoom).

The emulator is told Rendez's own OAuth redirect URI and event endpoint, since they depend on the port.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

MOUNT_PATH = "/_zoom"
WsgiApp = Callable[..., Any]


def with_emulator(application: WsgiApp) -> WsgiApp:
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from zoom_emulator import Emulator
    from zoom_emulator.config import EmulatorConfig

    emulator = Emulator(
        # The demo's Zoom takes as many meeting writes per host and day as Rendez is told Zoom takes (100
        # unless ZOOM_DAILY_MEETING_WRITES_PER_HOST says otherwise, as bench/embedded.py does).
        config=EmulatorConfig(daily_meeting_writes_per_host=settings.ZOOM_DAILY_MEETING_WRITES_PER_HOST),
        state_file=str(Path(settings.VAR_DIR) / "zoom-emulator.json"),
        public_base_url=settings.BASE_URL + MOUNT_PATH,
        # Written behind, at most once a second: saving after every change cost more with every meeting made.
        save_delay=1.0,
    )
    if settings.ZOOM_CLIENT_ID:
        emulator.add_redirect_uri(settings.ZOOM_CLIENT_ID, f"{settings.BASE_URL}/integrations/zoom/callback")
        emulator.set_event_url(
            settings.ZOOM_CLIENT_ID,
            f"{settings.BASE_URL}/integrations/zoom/events",
            settings.ZOOM_WEBHOOK_SECRET_TOKEN or None,
        )
    return DispatcherMiddleware(application, {MOUNT_PATH: emulator.wsgi_app})
