from django.apps import AppConfig


class ZoomConfig(AppConfig):
    name = "rendez.integrations.zoom"
    label = "zoom"
    verbose_name = "Zoom"

    def ready(self) -> None:
        from rendez.api import extensions
        from rendez.integrations.zoom import api, checks, handlers, panel  # noqa: F401 - registers checks and job kinds
        from rendez.integrations.zoom.hosts import host_relations
        from rendez.integrations.zoom.status import staff_zoom

        extensions.add_router(api.router)
        extensions.add_staff_section("zoom", staff_zoom, relations=host_relations())
        panel.register()
