from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "rendez.calendars"
    label = "calendars"
    verbose_name = "Calendars"

    def ready(self) -> None:
        from rendez.api import extensions
        from rendez.calendars import api, busy, handlers, writing  # noqa: F401 - handlers registers job kinds
        from rendez.conferencing import reconcile
        from rendez.scheduling import events, external_busy

        external_busy.register(busy.busy_of_staff)
        extensions.add_router(api.router)
        for followers in (events.APPOINTMENT_FOLLOWERS, reconcile.MEETING_FOLLOWERS):
            if writing.WRITE_EVENT not in followers:
                followers.append(writing.WRITE_EVENT)
