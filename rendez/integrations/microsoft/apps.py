from django.apps import AppConfig


class MicrosoftConfig(AppConfig):
    name = "rendez.integrations.microsoft"
    label = "microsoft"
    verbose_name = "Microsoft 365 calendars"

    def ready(self) -> None:
        from rendez.calendars import writing
        from rendez.integrations.microsoft import handlers, panel  # noqa: F401 - registers job kinds
        from rendez.integrations.microsoft.writer import MicrosoftWriter

        writing.register_writer("microsoft", MicrosoftWriter())
        panel.register()
