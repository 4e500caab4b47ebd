from django.apps import AppConfig


class GoogleConfig(AppConfig):
    name = "rendez.integrations.google"
    label = "google"
    verbose_name = "Google Calendar"
