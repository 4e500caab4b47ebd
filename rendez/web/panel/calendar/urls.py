"""Addresses under /panel/calendar/; url names are prefixed `calendar_` (they live in the `panel` namespace)."""

from __future__ import annotations

urlpatterns: list = []
