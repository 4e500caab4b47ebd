from django.apps import AppConfig


class MicrosoftConfig(AppConfig):
    name = "rendez.integrations.microsoft"
    label = "microsoft"
    verbose_name = "Microsoft 365 calendars"

    def ready(self) -> None:
        from rendez.calendars import connecting, writing
        from rendez.integrations.microsoft import connect, handlers, panel  # noqa: F401 - registers job kinds
        from rendez.integrations.microsoft.writer import MicrosoftWriter

        writing.register_writer("microsoft", MicrosoftWriter())
        connecting.register(connect.CONNECTOR)
        panel.register()
