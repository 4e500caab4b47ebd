from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "rendez.scheduling"
    label = "scheduling"
