"""What Google Calendar adds to the tenant panel: its card on the staff page (also on "My schedule"), drawn by
the calendar core's card (rendez/calendars/panel/staff.py), and Google Meet as a choice of the service form.
The panel imports none of it: `register()` hands it to `web/panel/sections.py` when the app is ready."""

from __future__ import annotations


def register() -> None:
    from rendez.calendars.panel import staff
    from rendez.integrations.google.connect import CONNECTOR
    from rendez.integrations.google.panel import video
    from rendez.web.panel import sections

    sections.add_staff_section(staff.section(CONNECTOR, order=110))  # after Zoom's card
    sections.add_video_choice(video.CHOICE)
