from django.apps import AppConfig


class MicrosoftConfig(AppConfig):
    name = "rendez.integrations.microsoft"
    label = "microsoft"
    verbose_name = "Microsoft 365 calendars"

    def ready(self) -> None:
        from rendez.calendars import connecting, writing
        from rendez.calendars.panel import staff
        from rendez.integrations.microsoft import connect, handlers  # noqa: F401 - registers job kinds
        from rendez.integrations.microsoft.writer import MicrosoftWriter
        from rendez.web.panel import sections

        writing.register_writer("microsoft", MicrosoftWriter())
        connecting.register(connect.CONNECTOR)
        sections.add_staff_section(staff.section(connect.CONNECTOR, order=120))  # after Google's card
