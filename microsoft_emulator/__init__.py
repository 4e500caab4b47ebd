"""A standalone look-alike of the parts of Microsoft 365 Rendez uses: the identity platform (v2.0
authorization code flow) and Microsoft Graph v1.0 calendars, events, delta queries and change
notifications."""

from __future__ import annotations

from .clock import ManualClock, SystemClock
from .config import EmulatorConfig
from .emulator import Emulator

__all__ = ["Emulator", "EmulatorConfig", "ManualClock", "SystemClock"]
