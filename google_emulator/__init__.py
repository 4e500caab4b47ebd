"""A standalone look-alike of the parts of Google that Rendez uses: OAuth 2.0 for web server apps, OpenID
Connect userinfo and Calendar API v3 (calendar list, free/busy, events with incremental sync, push channels,
Google Meet conference data)."""

from __future__ import annotations

from .clock import ManualClock, SystemClock
from .emulator import Emulator

__all__ = ["Emulator", "ManualClock", "SystemClock"]
