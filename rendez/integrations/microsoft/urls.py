from django.urls import path

from rendez.calendars.views import callback
from rendez.integrations.microsoft import views

app_name = "microsoft"
urlpatterns = [
    path("callback", callback, {"provider": "microsoft"}, name="callback"),
    path("notifications", views.notifications, name="notifications"),
]
