from django.apps import AppConfig


class ZoomConfig(AppConfig):
    name = "rendez.integrations.zoom"
    label = "zoom"
    verbose_name = "Zoom"

    def ready(self) -> None:
        from rendez.api import extensions
        from rendez.conferencing import texts as conferencing_texts
        from rendez.integrations.zoom import api, checks, handlers, panel, tenant_settings  # noqa: F401 - registers checks and job kinds
        from rendez.integrations.zoom.hosts import host_relations
        from rendez.integrations.zoom.status import staff_zoom

        conferencing_texts.register(tenant_settings.meeting_texts)
        extensions.add_router(api.router)
        extensions.add_staff_section("zoom", staff_zoom, relations=host_relations())
        panel.register()
