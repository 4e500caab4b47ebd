from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "rendez.calendars"
    label = "calendars"
    verbose_name = "Calendars"

    def ready(self) -> None:
        from rendez import jobs
        from rendez.api import extensions
        from rendez.calendars import api, busy, handlers, panel, subscribers  # noqa: F401 - handlers: job kinds
        from rendez.conferencing.events import MeetingLinkReady
        from rendez.scheduling import events, external_busy

        external_busy.register(busy.busy_of_staff)
        extensions.add_router(api.router)
        extensions.add_staff_list("calendars", api.staff_calendars, prefetch=("calendar_connections",))
        # Appointments are written out to staff's calendars as they change and as their link is ready, in
        # tenants that may have a calendar connected (subscribers.py; docs/jobs.md, "Subscriptions").
        jobs.subscribe(events.AppointmentChanged, subscribers.appointment_changed)
        jobs.subscribe(MeetingLinkReady, subscribers.meeting_ready)
        panel.register()
