from django.apps import AppConfig


class GoogleConfig(AppConfig):
    name = "rendez.integrations.google"
    label = "google"
    verbose_name = "Google Calendar"

    def ready(self) -> None:
        from rendez.calendars import connecting, writing
        from rendez.integrations.google import connect, handlers, panel  # noqa: F401 - registers job kinds
        from rendez.integrations.google.writer import GoogleWriter

        writing.register_writer("google", GoogleWriter())
        connecting.register(connect.CONNECTOR)
        panel.register()
