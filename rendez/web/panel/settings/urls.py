"""Addresses under /panel/settings/; url names are prefixed `settings_` (they live in the `panel` namespace)."""

from __future__ import annotations

urlpatterns: list = []
