from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "rendez.calendars"
    label = "calendars"
    verbose_name = "Calendars"

    def ready(self) -> None:
        from rendez.calendars import busy
        from rendez.scheduling import external_busy

        external_busy.register(busy.busy_of_staff)
