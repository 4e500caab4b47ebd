from django.apps import AppConfig


class ZoomConfig(AppConfig):
    name = "rendez.integrations.zoom"
    label = "zoom"
    verbose_name = "Zoom"

    def ready(self) -> None:
        from rendez.integrations.zoom import checks, handlers  # noqa: F401 - registers checks and job kinds
