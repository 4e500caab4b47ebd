"""Addresses under /panel/services/; url names start with `services_` (the `panel` namespace)."""

from __future__ import annotations

urlpatterns: list = []
