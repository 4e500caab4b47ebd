"""Addresses under /panel/settings/; url names start with `settings_` (the `panel` namespace)."""

from __future__ import annotations

from django.urls import path

from rendez.web.panel import sections
from rendez.web.panel.settings import views

urlpatterns = [
    path("", views.settings_home, name="settings_home"),
    path("profile/", views.settings_profile, name="settings_profile"),
    # Each integration's settings pages (Zoom's at zoom/), registered when its app is ready.
    *sections.urls("settings"),
]
