"""Addresses under /panel/settings/; url names start with `settings_` (the `panel` namespace)."""

from __future__ import annotations

urlpatterns: list = []
