from django.urls import path

from rendez.integrations.zoom import views

app_name = "zoom"
urlpatterns = [
    path("callback", views.callback, name="callback"),
    path("confirm/<str:token>", views.confirm, name="confirm"),
    path("events", views.events, name="events"),
    path("reconnect/<str:token>", views.reconnect, name="reconnect"),
]
