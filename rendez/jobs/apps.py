from __future__ import annotations

from importlib import import_module

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "rendez.jobs"
    label = "jobs"
    verbose_name = "Jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Handler discovery: every installed app's `jobs.py` and `handlers.py` (this app's handlers.py holds
        # the built-in `jobs.noop`), then JOBS_EXTRA_MODULES / RENDEZ_JOBS_EXTRA_MODULES.
        from rendez.jobs import conf

        autodiscover_modules("jobs", "handlers")
        for module in conf.extra_handler_modules():
            import_module(module)
