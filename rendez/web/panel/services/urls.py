"""Addresses under /panel/services/; url names start with `services_` (the `panel` namespace)."""

from __future__ import annotations

from django.urls import path

from rendez.web.panel.services import views

urlpatterns = [
    path("", views.services_list, name="services_list"),
    path("new/", views.services_create, name="services_create"),
    path("<int:service_id>/", views.services_edit, name="services_edit"),
]
