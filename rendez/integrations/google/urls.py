from django.urls import path

from rendez.calendars.views import callback
from rendez.integrations.google import views

app_name = "google"
urlpatterns = [
    path("callback", callback, {"provider": "google"}, name="callback"),
    path("notifications", views.notifications, name="notifications"),
]
