"""Addresses under /panel/onboarding/; url names start with `onboarding_` (the `panel` namespace)."""

from __future__ import annotations

from django.urls import path

from rendez.web.panel.onboarding import views

urlpatterns = [
    path("add-me/", views.add_me, name="onboarding_add_me"),
    path("qr.svg", views.qr_code, name="onboarding_qr"),
    path("dismiss/", views.dismiss, name="onboarding_dismiss"),
]
