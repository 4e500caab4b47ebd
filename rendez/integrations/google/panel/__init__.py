"""What Google Calendar adds to the tenant panel: the staff page's "Calendars" card (also on "My schedule").
The panel imports none of it: `register()` hands it to `web/panel/sections.py` when the app is ready."""

from __future__ import annotations


def register() -> None:
    from rendez.integrations.google.panel import staff
    from rendez.web.panel import sections

    sections.add_staff_section(staff.SECTION)
    sections.add_urls("staff", staff.urlpatterns)
