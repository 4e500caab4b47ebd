"""Google Meet as a service's video provider on the panel's service form: Meet meetings are made on staff's
Google calendars (integrations/google/meet.py)."""

from __future__ import annotations

from rendez.calendars.models import Provider
from rendez.web.panel.calendar_video import calendar_video_choice

CHOICE = calendar_video_choice("google_meet", Provider.GOOGLE, "Google Meet", "Google calendar")
