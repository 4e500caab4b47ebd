"""Addresses under /operator/."""

from __future__ import annotations

app_name = "operator"
urlpatterns: list = []
