from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rendez.api"
    label = "api"
