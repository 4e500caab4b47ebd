"""What Google Calendar adds to the tenant panel: the staff page's "Calendars" card (also on "My schedule"),
Google Meet as a choice of the service form, and the dead notice jobs it names.
The panel imports none of it: `register()` hands it to `web/panel/sections.py` when the app is ready."""

from __future__ import annotations


def register() -> None:
    from rendez.calendars.models import CalendarConnection
    from rendez.integrations.google.panel import staff, video
    from rendez.integrations.google.tokens import NOTICE_JOB
    from rendez.web.panel import sections

    sections.add_staff_section(staff.SECTION)
    sections.add_video_choice(video.CHOICE)
    sections.add_urls("staff", staff.urlpatterns)
    sections.add_job_reference(NOTICE_JOB, "connection_id", CalendarConnection)
