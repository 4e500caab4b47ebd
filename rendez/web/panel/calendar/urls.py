"""Addresses under /panel/calendar/; url names start with `calendar_` (the `panel` namespace).

The day shown and the admin's staff filter travel in the query (`?date=2026-12-07&staff=3`)."""

from __future__ import annotations

from django.urls import path

from rendez.web.panel.calendar import views

urlpatterns = [
    path("", views.week, name="calendar_week"),
    path("day/", views.day, name="calendar_day"),
    path("month/", views.month, name="calendar_month"),
]
