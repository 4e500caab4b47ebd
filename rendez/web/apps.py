from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rendez.web"
    label = "web"
