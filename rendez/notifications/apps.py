from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "rendez.notifications"
    label = "notifications"

    def ready(self) -> None:
        from rendez import jobs
        from rendez.conferencing.events import MeetingLinkReady
        from rendez.notifications import defaults, subscribers
        from rendez.scheduling import events
        from rendez.tenants.signals import tenant_created

        # Every new business starts with the starter messages, in the transaction that creates it.
        tenant_created.connect(defaults.install_for_new_tenant, dispatch_uid="notifications.starter_messages")
        # Booking changes and series actions become messages and reminders (docs/jobs.md, "Subscriptions").
        jobs.subscribe(events.BookingChanged, subscribers.booking_message)
        jobs.subscribe(events.SeriesChanged, subscribers.series_message)
        # A meeting's link ready or changed: waiting messages go, people holding another link get this one.
        jobs.subscribe(MeetingLinkReady, subscribers.meeting_ready)
