from django.urls import path

from rendez.integrations.microsoft import views

app_name = "microsoft"
urlpatterns = [
    path("notifications", views.notifications, name="notifications"),
]
