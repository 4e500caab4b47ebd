"""WSGI entry point (`gunicorn rendez.wsgi`); with ZOOM_EMULATOR=1 the Zoom emulator answers under /_zoom/."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rendez.settings")
application: Callable[..., Any] = get_wsgi_application()

if settings.ZOOM_EMULATOR:
    from rendez.devserver.zoom_mount import with_emulator

    application = with_emulator(application)
