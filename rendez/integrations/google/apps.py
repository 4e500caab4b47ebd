from django.apps import AppConfig


class GoogleConfig(AppConfig):
    name = "rendez.integrations.google"
    label = "google"
    verbose_name = "Google Calendar"

    def ready(self) -> None:
        from rendez.api import extensions
        from rendez.calendars import writing
        from rendez.integrations.google import api, handlers, panel  # noqa: F401 - registers job kinds
        from rendez.integrations.google.writer import GoogleWriter

        writing.register_writer("google", GoogleWriter())
        extensions.add_router(api.router)
        panel.register()
