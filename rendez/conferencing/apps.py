from django.apps import AppConfig


class ConferencingConfig(AppConfig):
    name = "rendez.conferencing"
    label = "conferencing"
