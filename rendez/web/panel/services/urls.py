"""Addresses under /panel/services/; url names are prefixed `services_` (they live in the `panel` namespace)."""

from __future__ import annotations

urlpatterns: list = []
