"""A standalone look-alike of the parts of Zoom that Rendez uses (OAuth, users, meetings, webhooks)."""

from __future__ import annotations

from .app import create_app
from .clock import ManualClock, SystemClock
from .config import EmulatorConfig
from .emulator import Emulator

__all__ = ["Emulator", "EmulatorConfig", "ManualClock", "SystemClock", "create_app"]
