"""WSGI entry point (`gunicorn rendez.wsgi`); with ZOOM_EMULATOR=1 the Zoom emulator answers under /_zoom/."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from rendez.lib import lean_api

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rendez.settings")
# API-key requests to /api/ take a lean middleware stack, every other request all of them (lean_api.py).
application: Callable[..., Any] = lean_api.application(get_wsgi_application())
# Load the URLconf now (and with it every view and API schema), then take all that lives as long as the
# process out of the garbage collector's sight: each full collection walked it again, a pause of about 70 ms
# in one request of twelve for the slots of a team (bench/README.md). With a preloading server this also
# spares the workers' copies of those pages.
get_resolver().url_patterns  # noqa: B018 - read to load it
gc.freeze()

if settings.ZOOM_EMULATOR:
    from rendez.devserver.zoom_mount import with_emulator

    application = with_emulator(application)

if settings.CALENDAR_EMULATORS:
    from rendez.devserver import google_mount

    application = google_mount.with_emulator(application)
    from rendez.devserver import microsoft_mount

    application = microsoft_mount.with_emulator(application)
