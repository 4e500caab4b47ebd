"""What Zoom adds to the tenant panel: its settings pages and card, the staff page's Zoom card and the staff
list's column, Zoom as a service's video provider, its onboarding steps, the dashboard's reconnect notices and
the dead jobs it names. The panel imports none of it: `register()` hands it to `web/panel/sections.py` when
the app is ready."""

from __future__ import annotations

from rendez.tenants.models import Tenant


def _reconnect_notice(tenant: Tenant) -> dict | None:
    from rendez.integrations.zoom.queries import connections_needing_reconnect

    broken = connections_needing_reconnect(tenant)
    return {"reconnect": broken} if broken else None


def register() -> None:
    from rendez.integrations.zoom.models import Connection
    from rendez.integrations.zoom.panel import onboarding, services, settings, staff
    from rendez.web.panel import sections

    sections.add_settings_section(settings.CARD)
    sections.add_urls("settings", settings.urlpatterns)
    sections.add_staff_section(staff.SECTION)
    sections.add_urls("staff", staff.urlpatterns)
    sections.add_video_choice(services.CHOICE)
    sections.add_onboarding_steps("zoom", onboarding.zoom_steps)
    sections.add_dashboard_notice(
        sections.DashboardNotice("zoom_reconnect", "zoom/panel/dashboard_notice.html", _reconnect_notice)
    )
    sections.add_job_reference("zoom.connection_notice", "connection_id", Connection)
