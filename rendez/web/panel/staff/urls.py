"""Addresses under /panel/staff/; url names start with `staff_` (the `panel` namespace)."""

from __future__ import annotations

from django.urls import path

from rendez.web.panel.staff import views

urlpatterns = [
    path("", views.staff_list, name="staff_list"),
    path("new/", views.staff_new, name="staff_new"),
    path("me/", views.staff_me, name="staff_me"),
    path("me/zoom/connect/", views.staff_me_connect, name="staff_me_connect"),
    path("me/zoom/disconnect/", views.staff_me_disconnect, name="staff_me_disconnect"),
    path("<int:staff_id>/", views.staff_edit, name="staff_edit"),
    path("<int:staff_id>/hours/", views.staff_hours, name="staff_hours"),
    path("<int:staff_id>/time-off/", views.staff_time_off_add, name="staff_time_off_add"),
    path(
        "<int:staff_id>/time-off/<int:time_off_id>/remove/",
        views.staff_time_off_remove,
        name="staff_time_off_remove",
    ),
    path("<int:staff_id>/zoom/connect/", views.staff_zoom_connect, name="staff_zoom_connect"),
    path("<int:staff_id>/zoom/disconnect/", views.staff_zoom_disconnect, name="staff_zoom_disconnect"),
    path("<int:staff_id>/zoom/map/", views.staff_zoom_map, name="staff_zoom_map"),
]
