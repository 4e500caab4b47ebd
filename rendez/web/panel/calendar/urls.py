"""Addresses under /panel/calendar/; url names start with `calendar_` (the `panel` namespace)."""

from __future__ import annotations

urlpatterns: list = []
