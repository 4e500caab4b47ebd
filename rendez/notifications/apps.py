from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "rendez.notifications"
    label = "notifications"
