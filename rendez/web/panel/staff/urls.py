"""Addresses under /panel/staff/; url names start with `staff_` (the `panel` namespace)."""

from __future__ import annotations

urlpatterns: list = []
