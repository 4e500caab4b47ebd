from django.apps import AppConfig


class LibConfig(AppConfig):
    """No models: here so that `rendez check --deploy` runs the checks of the shared configuration."""

    name = "rendez.lib"
    label = "rendez_lib"
    verbose_name = "Rendez shared library"

    def ready(self) -> None:
        from rendez.lib import checks  # noqa: F401 - registers the deployment checks
