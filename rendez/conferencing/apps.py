from django.apps import AppConfig


class ConferencingConfig(AppConfig):
    name = "rendez.conferencing"
    label = "conferencing"

    def ready(self) -> None:
        from rendez import jobs
        from rendez.conferencing import subscribers
        from rendez.scheduling import events

        # Every change scheduling announces to an appointment gets its meeting synced (docs/jobs.md).
        jobs.subscribe(events.AppointmentChanged, subscribers.meeting_sync)
