"""Addresses under /panel/staff/; url names are prefixed `staff_` (they live in the `panel` namespace)."""

from __future__ import annotations

urlpatterns: list = []
