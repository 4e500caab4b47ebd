from django.urls import path

from rendez.integrations.google import views

app_name = "google"
urlpatterns = [
    path("callback", views.callback, name="callback"),
    path("notifications", views.notifications, name="notifications"),
]
