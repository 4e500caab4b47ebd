"""What Microsoft 365 adds to the tenant panel: Microsoft Teams as a service's video provider (its meetings
are made on staff's Microsoft 365 calendars, microsoft/teams.py). The panel imports none of it."""

from __future__ import annotations


def register() -> None:
    from rendez.calendars.models import Provider
    from rendez.web.panel import sections
    from rendez.web.panel.calendar_video import calendar_video_choice

    sections.add_video_choice(
        calendar_video_choice("teams", Provider.MICROSOFT, "Microsoft Teams", "Microsoft 365 calendar")
    )
