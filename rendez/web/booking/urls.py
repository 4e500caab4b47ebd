from __future__ import annotations

from django.urls import path

from rendez.web.booking import views

app_name = "booking"

urlpatterns = [
    path("", views.choose_service, name="services"),
    path("<int:service_id>/", views.choose_staff, name="staff"),
    path("<int:service_id>/time", views.choose_time, name="time"),
    path("<int:service_id>/slots", views.slots, name="slots"),
    path("<int:service_id>/details", views.details, name="details"),
    path("done/<str:token>", views.done, name="done"),
    path("done/<str:token>/meeting", views.meeting, name="meeting"),
    path("done/<str:token>/booking.ics", views.calendar_file, name="calendar"),
]
