"""Addresses under /panel/settings/; url names start with `settings_` (the `panel` namespace)."""

from __future__ import annotations

from django.urls import path

from rendez.web.panel.settings import views

urlpatterns = [
    path("", views.settings_home, name="settings_home"),
    path("profile/", views.settings_profile, name="settings_profile"),
    path("zoom/", views.settings_zoom, name="settings_zoom"),
    path("zoom/preview/", views.settings_zoom_preview, name="settings_zoom_preview"),
    path("zoom/connect/", views.settings_zoom_connect, name="settings_zoom_connect"),
    path("zoom/s2s/", views.settings_zoom_s2s, name="settings_zoom_s2s"),
    path("zoom/disconnect/", views.settings_zoom_disconnect, name="settings_zoom_disconnect"),
]
