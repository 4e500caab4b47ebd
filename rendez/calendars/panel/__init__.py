"""What staff calendars add to the tenant panel, whatever the provider: the dashboard's notice of connections
that need reconnecting, the staff card's addresses, and the dead notice jobs they name. Each provider's app
registers its own card (`staff.section(connector, order)`). The panel imports none of it: `register()` hands
it to `web/panel/sections.py` when the app is ready."""

from __future__ import annotations

from rendez.tenants.models import Tenant


def _reconnect_notice(tenant: Tenant) -> dict | None:
    from rendez.calendars.models import CalendarConnection

    broken = list(
        CalendarConnection.objects.filter(tenant=tenant, status=CalendarConnection.Status.NEEDS_RECONNECT)
        .select_related("staff")
        .order_by("pk")
    )
    return {"calendars_reconnect": broken} if broken else None


def register() -> None:
    from rendez.calendars.models import CalendarConnection, Provider
    from rendez.calendars.notices import notice_job
    from rendez.calendars.panel import staff
    from rendez.web.panel import sections

    sections.add_urls("staff", staff.urlpatterns)
    sections.add_dashboard_notice(
        sections.DashboardNotice(
            "calendar_reconnect", "calendars/panel/dashboard_notice.html", _reconnect_notice
        )
    )
    for provider in Provider.values:
        sections.add_job_reference(notice_job(provider), "connection_id", CalendarConnection)
