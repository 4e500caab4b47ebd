"""What Microsoft 365 adds to the tenant panel: its card on the staff page (also on "My schedule"), drawn by
the calendar core's card (rendez/calendars/panel/staff.py), and Microsoft Teams as a service's video provider
(its meetings are made on staff's Microsoft 365 calendars, microsoft/teams.py). The panel imports none of it:
`register()` hands it to `web/panel/sections.py` when the app is ready."""

from __future__ import annotations


def register() -> None:
    from rendez.calendars.models import Provider
    from rendez.calendars.panel import staff
    from rendez.integrations.microsoft.connect import CONNECTOR
    from rendez.web.panel import sections
    from rendez.web.panel.calendar_video import calendar_video_choice

    sections.add_staff_section(staff.section(CONNECTOR, order=120))  # after Google's card
    sections.add_video_choice(
        calendar_video_choice("teams", Provider.MICROSOFT, "Microsoft Teams", "Microsoft 365 calendar")
    )
