from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "rendez.calendars"
    label = "calendars"
    verbose_name = "Calendars"

    def ready(self) -> None:
        from rendez.api import extensions
        from rendez.calendars import api, busy, handlers, panel, writing  # noqa: F401 - handlers: job kinds
        from rendez.conferencing import followers
        from rendez.scheduling import external_busy

        external_busy.register(busy.busy_of_staff)
        extensions.add_router(api.router)
        extensions.add_staff_list("calendars", api.staff_calendars, prefetch=("calendar_connections",))
        followers.on_appointment_changed(writing.follow)
        followers.on_meeting_ready(writing.follow)
        panel.register()
