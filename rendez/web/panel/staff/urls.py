"""Addresses under /panel/staff/; url names start with `staff_` (the `panel` namespace)."""

from __future__ import annotations

from django.urls import path

from rendez.web.panel import sections
from rendez.web.panel.staff import account, join, schedule, views

urlpatterns = [
    path("", views.staff_list, name="staff_list"),
    path("new/", views.staff_new, name="staff_new"),
    path("me/", views.staff_me, name="staff_me"),
    path("me/hours/", schedule.staff_me_hours, name="staff_me_hours"),
    path("me/time-off/", schedule.staff_me_time_off_add, name="staff_me_time_off_add"),
    path(
        "me/time-off/<int:time_off_id>/remove/",
        schedule.staff_me_time_off_remove,
        name="staff_me_time_off_remove",
    ),
    # The invitation link: opened signed out, so it is not a panel page.
    path("join/<int:staff_id>/<str:uidb64>/<str:token>/", join.join, name="staff_join"),
    path("<int:staff_id>/", views.staff_edit, name="staff_edit"),
    path("<int:staff_id>/hours/", schedule.staff_hours, name="staff_hours"),
    path("<int:staff_id>/time-off/", schedule.staff_time_off_add, name="staff_time_off_add"),
    path(
        "<int:staff_id>/time-off/<int:time_off_id>/remove/",
        schedule.staff_time_off_remove,
        name="staff_time_off_remove",
    ),
    path("<int:staff_id>/invite/", account.staff_invite, name="staff_invite"),
    path("<int:staff_id>/invite-again/", account.staff_reinvite, name="staff_reinvite"),
    path("<int:staff_id>/revoke/", account.staff_revoke, name="staff_revoke"),
    path("<int:staff_id>/role/", account.staff_role, name="staff_role"),
    path("<int:staff_id>/this-is-me/", account.staff_link_me, name="staff_link_me"),
    # Each integration's staff actions (Zoom's connect, disconnect, map), registered when its app is ready.
    *sections.urls("staff"),
]
